package io.ringserve.pipeline;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.DataType;
import io.ringserve.wire.HalfPrecision;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds the output record of one input record: its {@code --id} and {@code --keep} fields, then
 * either each model output (a scalar for a one-element output, else a flat array in row-major
 * order) or {@code record} (where the input was) and {@code error} (what was wrong).
 *
 * <p>Immutable and thread-safe.
 */
public final class OutputRecords {
  /** The field naming the input record of an error record. */
  public static final String RECORD_FIELD = "record";

  /** The field of an error record that says what was wrong. */
  public static final String ERROR_FIELD = "error";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  // Writes a pass-through field's value as a nested value; no flush per value, the sink flushes.
  private static final ObjectMapper TREES =
      new ObjectMapper().disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

  private final List<String> passThrough;

  /**
   * @param passThrough the {@code --id} field (if any) then the {@code --keep} fields
   */
  public OutputRecords(List<String> passThrough) {
    this.passThrough = List.copyOf(passThrough);
  }

  /** The {@code --id} field (if any) then the {@code --keep} fields. */
  List<String> passThrough() {
    return passThrough;
  }

  /**
   * {@code in} with only what its output record will need (its position and the pass-through
   * fields), so that a record waiting for its answer holds a few fields, not the whole input (a
   * 30-column CSV row's fields weigh some KiB; thousands wait at once).
   */
  public SourceRecord slim(SourceRecord in) {
    if (in.fields() == null) {
      return in;
    }
    ObjectNode kept = NODES.objectNode();
    for (String f : passThrough) {
      JsonNode v = in.fields().get(f);
      if (v != null) {
        kept.set(f, v);
      }
    }
    return SourceRecord.of(in.position(), kept);
  }

  /** The prediction for row {@code row} of {@code outputs}; {@code batched}: dim 0 is the row. */
  public ObjectNode prediction(SourceRecord in, List<Tensor> outputs, long row, boolean batched) {
    ObjectNode out = start(in);
    for (Tensor t : outputs) {
      Tensor mine = batched ? t.rows(row, 1) : t;
      out.set(t.name(), values(mine));
    }
    return out;
  }

  /**
   * Writes the same JSON object as {@link #prediction} to {@code json}, without building it: the
   * writer thread, through which every record passes, then makes no node per value (an {@code mlp}
   * record has ten). Where a name repeats (a pass-through field named like an output, an output
   * twice), the object keeps the last value at the first name's place, so those go through {@link
   * #prediction}.
   */
  public void writePrediction(
      JsonGenerator json, SourceRecord in, List<Tensor> outputs, long row, boolean batched)
      throws IOException {
    if (!distinctNames(in, outputs)) {
      TREES.writeTree(json, prediction(in, outputs, row, batched));
      return;
    }
    json.writeStartObject();
    if (in.fields() != null) {
      for (String f : passThrough) {
        JsonNode v = in.fields().get(f);
        json.writeFieldName(f);
        if (v == null) {
          json.writeNull();
        } else {
          TREES.writeTree(json, v);
        }
      }
    }
    for (Tensor t : outputs) {
      json.writeFieldName(t.name());
      writeValues(json, batched ? t.rows(row, 1) : t);
    }
    json.writeEndObject();
  }

  private boolean distinctNames(SourceRecord in, List<Tensor> outputs) {
    int named = in.fields() == null ? 0 : passThrough.size();
    for (int i = 0; i < outputs.size(); i++) {
      String name = outputs.get(i).name();
      for (int j = 0; j < named; j++) {
        if (passThrough.get(j).equals(name)) {
          return false;
        }
      }
      for (int j = 0; j < i; j++) {
        if (outputs.get(j).name().equals(name)) {
          return false;
        }
      }
    }
    for (int i = 0; i < named; i++) {
      for (int j = 0; j < i; j++) {
        if (passThrough.get(j).equals(passThrough.get(i))) {
          return false;
        }
      }
    }
    return true;
  }

  /** As {@link #values}, written: the same JSON a node of those values serializes to. */
  private static void writeValues(JsonGenerator json, Tensor t) throws IOException {
    long count = t.elementCount();
    ByteBuffer data = t.data();
    DataType type = t.dataType();
    if (type == DataType.BYTES) {
      ByteBuffer[] elements = BytesFraming.elements(t.name(), data, count);
      if (elements.length == 1) {
        json.writeString(text(elements[0]));
        return;
      }
      json.writeStartArray();
      for (ByteBuffer e : elements) {
        json.writeString(text(e));
      }
      json.writeEndArray();
      return;
    }
    if (count == 1) {
      writeElement(json, data, type, 0);
      return;
    }
    json.writeStartArray();
    for (int i = 0; i < count; i++) {
      writeElement(json, data, type, i);
    }
    json.writeEndArray();
  }

  /** As {@link #element}, written. */
  private static void writeElement(JsonGenerator json, ByteBuffer d, DataType type, int i)
      throws IOException {
    int at = d.position() + i * type.byteSize();
    switch (type) {
      case BOOL -> json.writeBoolean(d.get(at) != 0);
      case INT8 -> json.writeNumber(d.get(at));
      case UINT8 -> json.writeNumber(d.get(at) & 0xFF);
      case INT16 -> json.writeNumber(d.getShort(at));
      case UINT16 -> json.writeNumber(d.getShort(at) & 0xFFFF);
      case INT32 -> json.writeNumber(d.getInt(at));
      case UINT32 -> json.writeNumber(d.getInt(at) & 0xFFFF_FFFFL);
      case INT64 -> json.writeNumber(d.getLong(at));
      case UINT64 ->
          json.writeNumber(new java.math.BigInteger(Long.toUnsignedString(d.getLong(at))));
      case FP16 -> json.writeNumber(HalfPrecision.fromFp16(d.getShort(at)));
      case BF16 -> json.writeNumber(HalfPrecision.fromBf16(d.getShort(at)));
      case FP32 -> json.writeNumber(d.getFloat(at));
      case FP64 -> json.writeNumber(d.getDouble(at));
      case BYTES -> throw new IllegalStateException("BYTES is framed");
    }
  }

  /** The error record of {@code in}. */
  public ObjectNode error(SourceRecord in, String message) {
    ObjectNode out = start(in);
    out.put(RECORD_FIELD, in.position());
    out.put(ERROR_FIELD, message);
    return out;
  }

  private ObjectNode start(SourceRecord in) {
    ObjectNode out = NODES.objectNode();
    if (in.fields() != null) {
      for (String f : passThrough) {
        JsonNode v = in.fields().get(f);
        out.set(f, v == null ? NODES.nullNode() : v);
      }
    }
    return out;
  }

  private static JsonNode values(Tensor t) {
    long count = t.elementCount();
    ByteBuffer data = t.data();
    DataType type = t.dataType();
    if (type == DataType.BYTES) {
      ByteBuffer[] elements = BytesFraming.elements(t.name(), data, count);
      if (elements.length == 1) {
        return NODES.textNode(text(elements[0]));
      }
      ArrayNode array = NODES.arrayNode(elements.length);
      for (ByteBuffer e : elements) {
        array.add(text(e));
      }
      return array;
    }
    if (count == 1) {
      return element(data, type, 0);
    }
    ArrayNode array = NODES.arrayNode((int) count);
    for (int i = 0; i < count; i++) {
      array.add(element(data, type, i));
    }
    return array;
  }

  private static String text(ByteBuffer bytes) {
    byte[] b = new byte[bytes.remaining()];
    bytes.duplicate().get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static JsonNode element(ByteBuffer d, DataType type, int i) {
    int at = d.position() + i * type.byteSize();
    return switch (type) {
      case BOOL -> NODES.booleanNode(d.get(at) != 0);
      case INT8 -> NODES.numberNode(d.get(at));
      case UINT8 -> NODES.numberNode(d.get(at) & 0xFF);
      case INT16 -> NODES.numberNode(d.getShort(at));
      case UINT16 -> NODES.numberNode(d.getShort(at) & 0xFFFF);
      case INT32 -> NODES.numberNode(d.getInt(at));
      case UINT32 -> NODES.numberNode(d.getInt(at) & 0xFFFF_FFFFL);
      case INT64 -> NODES.numberNode(d.getLong(at));
      case UINT64 ->
          NODES.numberNode(new java.math.BigInteger(Long.toUnsignedString(d.getLong(at))));
      case FP16 -> NODES.numberNode(HalfPrecision.fromFp16(d.getShort(at)));
      case BF16 -> NODES.numberNode(HalfPrecision.fromBf16(d.getShort(at)));
      case FP32 -> NODES.numberNode(d.getFloat(at));
      case FP64 -> NODES.numberNode(d.getDouble(at));
      case BYTES -> throw new IllegalStateException("BYTES is framed");
    };
  }
}
