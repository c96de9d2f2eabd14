package io.ringserve.pipeline.files;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.batching.Tensor;
import io.ringserve.pipeline.OutputRecords;
import io.ringserve.pipeline.RecordSink;
import io.ringserve.pipeline.SourceRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Output records to a JSONL or CSV file, or to standard output. A file can be reopened at a
 * checkpoint's length, cutting off whatever a killed run wrote after it.
 *
 * <p>CSV columns are fixed before the first record: the pass-through fields, each output (one
 * column, or {@code NAME_0 .. NAME_n-1} for an output of n elements), then {@code record} and
 * {@code error}, filled only on error records.
 *
 * <p>Used by one thread. Buffered; {@link #flush} writes the buffer through.
 */
public final class FileSink implements RecordSink {
  // Its generator's trees are written without a flush: a flush per record went through the
  // writer's buffer to a write(2) per record (FLUSH_PASSED_TO_STREAM); flush() does it once.
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

  private final String name;
  private final FileChannel channel; // null for standard output
  private final Writer writer;
  private final JsonGenerator json; // JSONL
  private final CSVPrinter csv; // CSV
  private final List<String> csvColumns;

  private FileSink(
      String name,
      FileChannel channel,
      OutputStream out,
      FileFormat format,
      List<String> columns,
      boolean header)
      throws IOException {
    this.name = name;
    this.channel = channel;
    this.writer =
        new OutputStreamWriter(new BufferedOutputStream(out, 1 << 16), StandardCharsets.UTF_8);
    if (format == FileFormat.CSV) {
      this.csvColumns = List.copyOf(columns);
      this.csv = new CSVPrinter(writer, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get());
      if (header) {
        csv.printRecord(csvColumns);
      }
      this.json = null;
    } else {
      this.csvColumns = List.of();
      this.csv = null;
      this.json = JSON.getFactory().createGenerator(writer);
      json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      // Lines are separated by '\n' alone: Jackson's default separator between root values (a
      // space) would start every line but a run's first, so a resumed file would differ.
      json.setRootValueSeparator(null);
    }
  }

  /**
   * Opens {@code file} for writing: from scratch, or, with {@code resumeAt >= 0}, cut to that
   * length and appended to.
   *
   * @param columns the CSV columns (ignored for JSONL)
   */
  public static FileSink open(Path file, FileFormat format, List<String> columns, long resumeAt)
      throws IOException {
    FileChannel channel;
    if (resumeAt >= 0) {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (channel.size() < resumeAt) {
        channel.close();
        throw new IOException(
            file
                + " is shorter ("
                + channel.size()
                + " bytes) than its checkpoint says ("
                + resumeAt
                + "); cannot resume");
      }
      channel.truncate(resumeAt);
      channel.position(resumeAt);
    } else {
      channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
    }
    return new FileSink(
        file.toString(),
        channel,
        Channels.newOutputStream(channel),
        format,
        columns,
        resumeAt <= 0);
  }

  /** Writes to {@code out} (standard output), which cannot be resumed. */
  public static FileSink stream(OutputStream out, FileFormat format, List<String> columns)
      throws IOException {
    return new FileSink("stdout", null, out, format, columns, true);
  }

  @Override
  public void write(ObjectNode record) throws IOException {
    if (json != null) {
      json.writeTree(record);
      json.writeRaw('\n');
      return;
    }
    List<Object> row = new ArrayList<>(csvColumns.size());
    Map<String, String> cells = new java.util.HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = record.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isArray()) {
        for (int i = 0; i < v.size(); i++) {
          cells.put(e.getKey() + "_" + i, cell(v.get(i)));
        }
      } else {
        cells.put(e.getKey(), cell(v));
      }
    }
    for (String c : csvColumns) {
      String v = cells.get(c);
      row.add(v == null ? "" : v);
    }
    csv.printRecord(row);
  }

  @Override
  public void writePrediction(
      OutputRecords outputs, SourceRecord in, List<Tensor> result, long row, boolean batched)
      throws IOException {
    if (json == null) {
      RecordSink.super.writePrediction(outputs, in, result, row, batched);
      return;
    }
    outputs.writePrediction(json, in, result, row, batched);
    json.writeRaw('\n');
  }

  private static String cell(JsonNode v) {
    return v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
  }

  @Override
  public long flush() throws IOException {
    if (json != null) {
      json.flush(); // the generator buffers too
    }
    writer.flush();
    if (channel == null) {
      return -1;
    }
    channel.force(false); // through to the disk before a checkpoint says it is there
    return channel.position();
  }

  @Override
  public String describe() {
    return name;
  }

  @Override
  public void close() throws IOException {
    if (json != null) {
      json.flush();
    }
    writer.flush();
    if (json != null) {
      json.close();
    }
    if (channel != null) {
      writer.close();
    }
  }
}
