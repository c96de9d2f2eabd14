package io.ringserve.pipeline.files;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.pipeline.CsvRow;
import io.ringserve.pipeline.RecordSource;
import io.ringserve.pipeline.SourceRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.Type;

/**
 * Records from JSONL, CSV or Parquet files read one after another, or from standard input (not
 * Parquet). A JSONL line that is not a JSON object, or a CSV row whose width differs from the
 * header's, becomes an unreadable record naming its line; the file goes on.
 *
 * <p>Memory: one line (or CSV record) at a time plus the readers' buffers, whatever the file size.
 * Used by one thread; {@link #bytesRead} may be read from another.
 */
public final class FileSource implements RecordSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Path> files; // empty: standard input
  private final FileFormat forcedFormat;
  private final InputStream stdin;
  private final long totalBytes;
  private final List<String> firstColumns;

  private int nextFile;
  private FileReader current;
  private long bytesDone; // bytes of the files finished

  private FileSource(List<Path> files, FileFormat forcedFormat, InputStream stdin)
      throws IOException {
    this.files = List.copyOf(files);
    this.forcedFormat = forcedFormat;
    this.stdin = stdin;
    long total = 0;
    for (Path f : files) {
      total += Files.size(f);
    }
    this.totalBytes = files.isEmpty() ? -1 : total;
    this.current = openNext();
    this.firstColumns = current == null ? List.of() : current.columns();
  }

  /**
   * Reads {@code files} in order; their format from {@code format} or, if null, each file's
   * extension.
   *
   * @throws IOException if the first file cannot be opened, or naming a file whose format is not
   *     known
   */
  public static FileSource ofFiles(List<Path> files, FileFormat format) throws IOException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("files must not be empty");
    }
    for (Path f : files) {
      if (format == null && FileFormat.byExtension(f.getFileName().toString()) == null) {
        throw new IOException(
            "--source "
                + f
                + ": cannot tell the format from the name (.jsonl, .ndjson, .json, .csv, .parquet);"
                + " give --source-format");
      }
    }
    return new FileSource(files, format, null);
  }

  /** Reads standard input (or any stream) in {@code format}. */
  public static FileSource ofStream(InputStream in, FileFormat format) throws IOException {
    return new FileSource(List.of(), format, in);
  }

  private FileReader openNext() throws IOException {
    if (files.isEmpty()) {
      if (nextFile++ > 0) {
        return null;
      }
      if (forcedFormat == FileFormat.PARQUET) {
        // Parquet's footer, at the end, says where the columns are: it needs a seekable file.
        throw new IOException("Parquet cannot be read from standard input; give a file");
      }
      return open("stdin", forcedFormat, stdin);
    }
    if (nextFile >= files.size()) {
      return null;
    }
    Path file = files.get(nextFile++);
    FileFormat format =
        forcedFormat != null ? forcedFormat : FileFormat.byExtension(file.getFileName().toString());
    if (format == FileFormat.PARQUET) {
      return new ParquetReader(file);
    }
    return open(file.toString(), format, Files.newInputStream(file));
  }

  private static FileReader open(String name, FileFormat format, InputStream in)
      throws IOException {
    CountingInputStream counted = new CountingInputStream(in);
    if (format == FileFormat.CSV) {
      return new CsvReader(name, counted); // splits the bytes itself
    }
    Reader reader =
        new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8), 1 << 16);
    return new JsonlReader(name, counted, reader);
  }

  @Override
  public SourceRecord next() throws IOException {
    while (current != null) {
      SourceRecord r = current.next();
      if (r != null) {
        return r;
      }
      bytesDone += current.bytesRead();
      current.close();
      current = openNext();
    }
    return null;
  }

  @Override
  public List<String> columns() {
    return firstColumns;
  }

  @Override
  public long bytesRead() {
    FileReader r = current;
    return bytesDone + (r == null ? 0 : r.bytesRead());
  }

  @Override
  public long totalBytes() {
    return totalBytes;
  }

  @Override
  public String describe() {
    if (files.isEmpty()) {
      return "stdin";
    }
    return files.size() == 1
        ? files.get(0).toString()
        : files.size() + " files from " + files.get(0);
  }

  @Override
  public void close() throws IOException {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  /** One file being read. */
  private abstract static class FileReader {
    final String name;
    final CountingInputStream counted;
    final Reader reader;

    FileReader(String name, CountingInputStream counted, Reader reader) {
      this.name = name;
      this.counted = counted;
      this.reader = reader;
    }

    abstract SourceRecord next() throws IOException;

    long bytesRead() {
      return counted.count();
    }

    List<String> columns() {
      return List.of();
    }

    void close() throws IOException {
      reader.close();
    }
  }

  /** One JSON object per line; blank lines are skipped but counted. */
  private static final class JsonlReader extends FileReader {
    private final BufferedReader lines;
    private long lineNumber;

    JsonlReader(String name, CountingInputStream counted, Reader reader) {
      super(name, counted, reader);
      this.lines = (BufferedReader) reader;
    }

    @Override
    SourceRecord next() throws IOException {
      String line;
      do {
        line = lines.readLine();
        if (line == null) {
          return null;
        }
        lineNumber++;
      } while (line.isBlank());
      String text = line;
      // Parsed on a mapping thread: the reading thread only finds the lines.
      return SourceRecord.deferred(name + ":" + lineNumber, position -> parse(position, text));
    }

    private static SourceRecord parse(String position, String line) {
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        return SourceRecord.unreadable(position, "malformed JSON: " + e.getOriginalMessage());
      }
      if (!(node instanceof ObjectNode object)) {
        return SourceRecord.unreadable(
            position, "a line must hold one JSON object, got " + node.getNodeType());
      }
      return SourceRecord.of(position, object);
    }
  }

  /**
   * CSV with a header row. Records without quotes are handed over as text ({@link CsvRow}) and
   * parsed by the run's mapping threads; the few with quotes, and the header, go through the CSV
   * library here, their values kept as strings for the field mapping.
   */
  private static final class CsvReader extends FileReader {
    private static final CSVFormat HEADER =
        CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
    private final CsvSplitter records;
    private final List<String> header;

    CsvReader(String name, CountingInputStream counted) throws IOException {
      super(name, counted, null);
      this.records = new CsvSplitter(counted);
      CsvSplitter.Text first = records.next();
      String text = first == null ? "" : first.text();
      try (CSVParser parser =
          CSVParser.builder().setReader(new StringReader(text)).setFormat(HEADER).get()) {
        this.header = parser.getHeaderNames();
      } catch (UncheckedIOException e) {
        throw new IOException(name + ": malformed CSV header: " + e.getCause().getMessage(), e);
      }
    }

    @Override
    List<String> columns() {
      return header;
    }

    @Override
    SourceRecord next() throws IOException {
      CsvSplitter.Text record;
      try {
        record = records.next();
      } catch (IOException e) {
        throw new IOException(name + ": malformed CSV: " + e.getMessage(), e);
      }
      if (record == null) {
        return null;
      }
      String position = name + ":" + record.line();
      if (!record.quoted()) {
        return SourceRecord.deferred(position, new CsvRow(record.bytes(), header));
      }
      CSVRecord values;
      try (CSVParser parser =
          CSVParser.builder()
              .setReader(new StringReader(record.text()))
              .setFormat(CSVFormat.DEFAULT)
              .get()) {
        values = parser.iterator().next();
      } catch (UncheckedIOException e) {
        // A broken quote leaves no way to find the next record: end this file.
        throw new IOException(
            position + ": malformed CSV: " + e.getCause().getMessage(), e.getCause());
      }
      if (values.size() != header.size()) {
        return SourceRecord.unreadable(
            position,
            "malformed CSV row: " + values.size() + " values for " + header.size() + " columns");
      }
      ObjectNode fields = JsonNodeFactory.instance.objectNode();
      for (int i = 0; i < header.size(); i++) {
        fields.put(header.get(i), values.get(i));
      }
      return SourceRecord.of(position, fields);
    }

    @Override
    void close() throws IOException {
      counted.close();
    }
  }

  /**
   * A Parquet file's rows through parquet-avro, one at a time (a row group's pages at most in
   * memory), each turned into fields as a JSON line's would be: numbers stay numbers, lists become
   * arrays. Positions are row numbers from 1, as {@code file.parquet:7}.
   */
  private static final class ParquetReader extends FileReader {
    private final org.apache.parquet.hadoop.ParquetReader<GenericRecord> rows;
    private final List<String> header;
    private final long size;
    private final long rowCount;
    private volatile long row; // read by progress too

    ParquetReader(Path file) throws IOException {
      super(file.toString(), null, null);
      InputFile in = new LocalInputFile(file);
      try (ParquetFileReader footer = ParquetFileReader.open(in)) {
        this.rowCount = footer.getRecordCount();
        this.header =
            footer.getFooter().getFileMetaData().getSchema().getFields().stream()
                .map(Type::getName)
                .toList();
      } catch (RuntimeException e) {
        throw new IOException(file + ": not a Parquet file: " + e.getMessage(), e);
      }
      this.size = Files.size(file);
      this.rows = AvroParquetReader.<GenericRecord>builder(in).build();
    }

    @Override
    SourceRecord next() throws IOException {
      GenericRecord r = rows.read();
      if (r == null) {
        return null;
      }
      row++;
      ObjectNode fields = JsonNodeFactory.instance.objectNode();
      for (Schema.Field f : r.getSchema().getFields()) {
        fields.set(f.name(), json(r.get(f.pos())));
      }
      return SourceRecord.of(name + ":" + row, fields);
    }

    private static JsonNode json(Object v) {
      JsonNodeFactory nodes = JsonNodeFactory.instance;
      if (v == null) {
        return nodes.nullNode();
      }
      if (v instanceof Integer i) {
        return nodes.numberNode(i);
      }
      if (v instanceof Long l) {
        return nodes.numberNode(l);
      }
      if (v instanceof Float f) {
        return nodes.numberNode(f);
      }
      if (v instanceof Double d) {
        return nodes.numberNode(d);
      }
      if (v instanceof Boolean b) {
        return nodes.booleanNode(b);
      }
      if (v instanceof java.nio.ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return nodes.binaryNode(bytes);
      }
      if (v instanceof Collection<?> list) {
        com.fasterxml.jackson.databind.node.ArrayNode array = nodes.arrayNode(list.size());
        for (Object e : list) {
          array.add(json(e));
        }
        return array;
      }
      if (v instanceof GenericRecord nested) {
        ObjectNode object = nodes.objectNode();
        for (Schema.Field f : nested.getSchema().getFields()) {
          object.set(f.name(), json(nested.get(f.pos())));
        }
        return object;
      }
      return nodes.textNode(v.toString()); // strings (Utf8), enums, decimals as text
    }

    @Override
    long bytesRead() {
      // Parquet reads by row group, not by byte: the share of rows read stands for it.
      return rowCount == 0 ? size : size * row / rowCount;
    }

    @Override
    List<String> columns() {
      return header;
    }

    @Override
    void close() throws IOException {
      rows.close();
    }
  }
}
