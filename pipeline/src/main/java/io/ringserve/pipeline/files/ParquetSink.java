package io.ringserve.pipeline.files;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.pipeline.ModelSignature;
import io.ringserve.pipeline.OutputRecords;
import io.ringserve.pipeline.RecordSink;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Output records to a Parquet file, one typed column per field: the {@code --id}/{@code --keep}
 * fields (strings: their type in the source is not known before the first record), each model
 * output in its own type (a scalar for a one-element output, else a list), then {@code record} and
 * {@code error}, set only on error records. Every column is optional, since an error record has no
 * outputs.
 *
 * <p>A Parquet file is complete only once its footer is written, at the end, and cannot be appended
 * to; so the file is written as {@code NAME.partial} and renamed to its name when the run ends. A
 * killed run leaves only the {@code .partial} file, never a file that looks complete, and such a
 * run cannot be resumed ({@code --resume} is refused for a Parquet sink): rerun it.
 *
 * <p>Used by one thread.
 */
public final class ParquetSink implements RecordSink {
  /** Records per row group are bounded by size; this keeps a row group's buffer small. */
  private static final long ROW_GROUP_BYTES = 32L << 20;

  private final Path file;
  private final Path partial;
  private final Schema schema;
  private final List<Column> columns;
  private final ParquetWriter<GenericRecord> writer;

  /** One output column: a field of the output record, and how its values are written. */
  private record Column(String name, Kind kind, boolean list) {}

  private enum Kind {
    STRING,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    BOOLEAN
  }

  private ParquetSink(Path file, List<Column> columns) throws IOException {
    this.file = file;
    this.partial = file.resolveSibling(file.getFileName() + ".partial");
    this.columns = columns;
    this.schema = schema(columns);
    Files.deleteIfExists(partial);
    this.writer =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(partial))
            .withSchema(schema)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withRowGroupSize(ROW_GROUP_BYTES)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build();
  }

  /**
   * Opens {@code file} for the output records of a model with {@code outputs}.
   *
   * @param passThrough the {@code --id} field (if any) then the {@code --keep} fields
   * @throws IllegalArgumentException naming a field that cannot be a Parquet column
   */
  public static ParquetSink open(
      Path file, List<String> passThrough, List<ModelSignature.Spec> outputs) throws IOException {
    List<Column> columns = new ArrayList<>();
    for (String f : passThrough) {
      columns.add(new Column(f, Kind.STRING, false));
    }
    for (ModelSignature.Spec o : outputs) {
      columns.add(new Column(o.name(), kind(o.dataType()), o.elementsPerRecord() != 1));
    }
    columns.add(new Column(OutputRecords.RECORD_FIELD, Kind.STRING, false));
    columns.add(new Column(OutputRecords.ERROR_FIELD, Kind.STRING, false));
    Set<String> seen = new HashSet<>();
    for (Column c : columns) {
      if (!seen.add(c.name())) {
        throw new IllegalArgumentException(
            "--sink " + file + ": two output fields are named '" + c.name() + "'");
      }
    }
    return new ParquetSink(file, columns);
  }

  private static Kind kind(DataType type) {
    return switch (type) {
      case BOOL -> Kind.BOOLEAN;
      case INT8, UINT8, INT16, UINT16, INT32 -> Kind.INT;
      case UINT32, INT64 -> Kind.LONG;
      case FP16, BF16, FP32 -> Kind.FLOAT;
      case FP64 -> Kind.DOUBLE;
      // UINT64 may pass Long.MAX_VALUE; its decimal text is exact.
      case UINT64, BYTES -> Kind.STRING;
    };
  }

  private static Schema schema(List<Column> columns) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Column c : columns) {
      Schema value = Schema.create(avroType(c.kind()));
      Schema type = c.list() ? Schema.createArray(value) : value;
      try {
        fields.add(
            new Schema.Field(
                c.name(),
                Schema.createUnion(Schema.create(Schema.Type.NULL), type),
                null,
                Schema.Field.NULL_DEFAULT_VALUE));
      } catch (SchemaParseException e) {
        throw new IllegalArgumentException(
            "field '"
                + c.name()
                + "' cannot be a Parquet column: names are letters, digits and _, not starting"
                + " with a digit",
            e);
      }
    }
    return Schema.createRecord("scored", null, "io.ringserve.score", false, fields);
  }

  private static Schema.Type avroType(Kind kind) {
    return switch (kind) {
      case STRING -> Schema.Type.STRING;
      case INT -> Schema.Type.INT;
      case LONG -> Schema.Type.LONG;
      case FLOAT -> Schema.Type.FLOAT;
      case DOUBLE -> Schema.Type.DOUBLE;
      case BOOLEAN -> Schema.Type.BOOLEAN;
    };
  }

  @Override
  public void write(ObjectNode record) throws IOException {
    GenericData.Record row = new GenericData.Record(schema);
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      JsonNode v = record.get(c.name());
      if (v == null || v.isNull()) {
        continue;
      }
      if (c.list()) {
        List<Object> values = new ArrayList<>(v.size());
        if (v.isArray()) {
          for (JsonNode e : v) {
            values.add(value(c.kind(), e));
          }
        } else {
          values.add(value(c.kind(), v)); // a variable-size output of one element this time
        }
        row.put(i, values);
      } else {
        row.put(i, value(c.kind(), v));
      }
    }
    writer.write(row);
  }

  private static Object value(Kind kind, JsonNode v) {
    return switch (kind) {
      case STRING -> v.isValueNode() ? v.asText() : v.toString();
      case INT -> v.intValue();
      case LONG -> v.longValue();
      case FLOAT -> v.floatValue();
      case DOUBLE -> v.doubleValue();
      case BOOLEAN -> v.booleanValue();
    };
  }

  /** Nothing is durable before the footer: a Parquet sink has no checkpoint. */
  @Override
  public long flush() {
    return -1;
  }

  @Override
  public String describe() {
    return file.toString();
  }

  /** Writes the footer and gives the file its name. */
  @Override
  public void close() throws IOException {
    writer.close();
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
