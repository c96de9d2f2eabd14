package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.pipeline.ModelSignature.Spec;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns the records of a {@link RequestBatch} into the request's input rows, on a mapping thread:
 * parses records still in text, maps their fields, and keeps of each record only what its output
 * needs ({@link OutputRecords#slim}).
 *
 * <p>A CSV row of numeric inputs ({@link FieldMapping#numericColumns}) takes a fast path: its
 * columns are parsed from the row's text straight into the request's buffer ({@link CsvRowParser}),
 * with no field objects, no string per value, not even one per row. A row the fast path cannot take
 * (a value that is not a number, a row of the wrong width) goes the general way, which writes the
 * same bytes and names what is wrong.
 *
 * <p>Thread-safe: one batch is mapped by one thread at a time.
 */
final class BatchMapper {
  private final FieldMapping mapping;
  private final OutputRecords outputs;
  private final List<Spec> specs;
  private volatile CsvPlan plan; // of the last header seen; files of one run rarely differ

  /**
   * How rows of one CSV header map: the parser of their input columns (null: the general path), the
   * pass-through columns.
   */
  private record CsvPlan(List<String> header, CsvRowParser parser, int[] keepColumns) {}

  BatchMapper(FieldMapping mapping, OutputRecords outputs) {
    this.mapping = mapping;
    this.outputs = outputs;
    this.specs = mapping.signature().inputs();
  }

  void map(RequestBatch batch) {
    int[] starts = null;
    ByteBuffer[] buffers = null;
    for (int i = 0; i < batch.size(); i++) {
      SourceRecord record = batch.records.get(i);
      if (record.text() instanceof CsvRow row) {
        CsvPlan p = plan(row.header());
        CsvRowParser parser = p.parser();
        if (parser != null) {
          if (starts == null || starts.length != row.header().size() + 1) {
            starts = new int[row.header().size() + 1];
            buffers = new ByteBuffer[specs.size()];
          }
          for (int k = 0; k < buffers.length; k++) {
            buffers[k] = batch.room(k, buffers.length, parser.rowBytes(k));
          }
          if (parser.parse(row.bytes(), starts, buffers)) {
            batch.rowAdded();
            batch.records.set(i, kept(record.position(), row, starts, p));
            continue;
          }
        }
      }
      mapGenerally(batch, i, record.parsed());
    }
  }

  private void mapGenerally(RequestBatch batch, int i, SourceRecord record) {
    if (record.readError() != null) {
      batch.records.set(i, record);
      batch.errors.set(i, record.readError());
      return;
    }
    SourceRecord slim = outputs.slim(record);
    batch.records.set(i, slim);
    try {
      ByteBuffer[] row = mapping.map(record.fields());
      for (int k = 0; k < row.length; k++) {
        batch.room(k, row.length, row[k].remaining()).put(row[k].duplicate());
      }
      batch.rowAdded();
    } catch (RecordException e) {
      batch.errors.set(i, e.getMessage());
    }
  }

  /** What the output record needs: the position, and the pass-through columns as strings. */
  private SourceRecord kept(String position, CsvRow row, int[] starts, CsvPlan p) {
    ObjectNode fields = JsonNodeFactory.instance.objectNode();
    List<String> names = outputs.passThrough();
    for (int k = 0; k < names.size(); k++) {
      int c = p.keepColumns()[k];
      if (c >= 0) {
        fields.put(names.get(k), row.column(starts, c));
      }
    }
    return SourceRecord.of(position, fields);
  }

  private CsvPlan plan(List<String> header) {
    CsvPlan p = plan;
    if (p != null && p.header() == header) {
      return p;
    }
    List<String> names = outputs.passThrough();
    int[] keep = new int[names.size()];
    for (int k = 0; k < keep.length; k++) {
      keep[k] = header.lastIndexOf(names.get(k)); // a repeated name: the last column, as fields
    }
    int[][] columns = mapping.numericColumns(header);
    CsvRowParser parser = columns == null ? null : CsvRowParser.of(header.size(), columns, specs);
    p = new CsvPlan(header, parser, keep);
    plan = p;
    return p;
  }
}
