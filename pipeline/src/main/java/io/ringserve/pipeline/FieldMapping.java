package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.pipeline.ModelSignature.Spec;
import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.DataType;
import io.ringserve.wire.Elements;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a record's fields into one row of each model input, checked against the model's datatypes
 * and dims.
 *
 * <p>Each input takes, in this order: the fields {@code --input} names; else the field of the
 * input's name (a JSON array, or a scalar for a one-element input); else, for a model with a single
 * input, every field of the record but {@code --id} and {@code --keep}, in order. What can be
 * checked before a record is read (input names, column counts against dims, columns a CSV header
 * lacks) is checked by {@link #create}; the rest fails the record alone with a message naming the
 * field.
 *
 * <p>Immutable and thread-safe.
 */
public final class FieldMapping {
  private final ModelSignature signature;
  private final List<Binding> bindings;
  private final Set<String> passThrough;

  /** How one input gets its values. {@code fields == null}: all fields but the pass-through. */
  private record Binding(Spec spec, List<String> fields, boolean byInputName) {}

  private FieldMapping(ModelSignature signature, List<Binding> bindings, Set<String> passThrough) {
    this.signature = signature;
    this.bindings = bindings;
    this.passThrough = passThrough;
  }

  /**
   * Checks the bindings against the model, and against {@code columns} when the source declares
   * them (a CSV header; empty for JSON).
   *
   * @param explicit the {@code --input} bindings
   * @param passThrough the {@code --id} and {@code --keep} fields, which are never model values
   * @throws IllegalArgumentException naming the input, field or column that is wrong
   */
  public static FieldMapping create(
      ModelSignature signature,
      List<InputBinding> explicit,
      List<String> passThrough,
      List<String> columns) {
    Map<String, InputBinding> byInput = new LinkedHashMap<>();
    for (InputBinding b : explicit) {
      if (signature.inputs().stream().noneMatch(s -> s.name().equals(b.input()))) {
        throw new IllegalArgumentException(
            "--input "
                + b.input()
                + ": model '"
                + signature.model()
                + "' has no input '"
                + b.input()
                + "'; its inputs are "
                + describe(signature.inputs()));
      }
      if (byInput.put(b.input(), b) != null) {
        throw new IllegalArgumentException("--input " + b.input() + " is given twice");
      }
    }
    Set<String> known = new HashSet<>(columns);
    for (String field : passThrough) {
      requireColumn(known, field, "--id/--keep " + field);
    }
    List<Binding> bindings = new ArrayList<>();
    for (Spec spec : signature.inputs()) {
      if (spec.elementsPerRecord() < 0) {
        throw new IllegalArgumentException(
            "input '"
                + spec.name()
                + "' has variable dims "
                + spec.dimsText()
                + "; scoring needs fixed dims per record (set them in config.pbtxt)");
      }
      InputBinding b = byInput.get(spec.name());
      if (b != null) {
        for (String f : b.fields()) {
          requireColumn(known, f, "--input " + spec.name());
        }
        if (b.fields().size() > 1 && b.fields().size() != spec.elementsPerRecord()) {
          throw new IllegalArgumentException(countMismatch(spec, b.fields().size(), "--input"));
        }
        bindings.add(new Binding(spec, b.fields(), false));
      } else if (columns.isEmpty() || known.contains(spec.name())) {
        // JSON records are checked one by one: the field of the input's name, or, for a single
        // input, all fields.
        bindings.add(new Binding(spec, List.of(spec.name()), true));
      } else if (signature.inputs().size() == 1) {
        List<String> rest = columns.stream().filter(c -> !passThrough.contains(c)).toList();
        if (rest.size() != spec.elementsPerRecord()) {
          throw new IllegalArgumentException(
              countMismatch(spec, rest.size(), "the columns besides --id/--keep")
                  + "; choose them with --input "
                  + spec.name()
                  + "=COLUMNS");
        }
        bindings.add(new Binding(spec, rest, false));
      } else {
        throw new IllegalArgumentException(
            "no column for input '"
                + spec.name()
                + "' ("
                + spec.dataType()
                + " "
                + spec.dimsText()
                + "): give --input "
                + spec.name()
                + "=COLUMNS");
      }
    }
    return new FieldMapping(signature, List.copyOf(bindings), Set.copyOf(passThrough));
  }

  private static void requireColumn(Set<String> known, String field, String what) {
    if (!known.isEmpty() && !known.contains(field)) {
      throw new IllegalArgumentException(
          what + ": column '" + field + "' is not in the source's header");
    }
  }

  private static String countMismatch(Spec spec, int count, String what) {
    return what
        + " name "
        + count
        + " fields but input '"
        + spec.name()
        + "' takes "
        + spec.elementsPerRecord()
        + " values ("
        + spec.dataType()
        + " "
        + spec.dimsText()
        + ")";
  }

  private static String describe(List<Spec> specs) {
    List<String> names = new ArrayList<>();
    for (Spec s : specs) {
      names.add(s.name() + " " + s.dataType() + " " + s.dimsText());
    }
    return names.toString();
  }

  /**
   * For each input, the {@code header} indexes of the columns it reads in order, when every input
   * is FP32, FP64, an integer type or BOOL ({@link CsvRowParser#takes}) and takes one column per
   * value: then a CSV row can be parsed straight into the request's buffer ({@link BatchMapper}).
   * {@code null} when some input needs the general path (other datatypes, a column holding several
   * values, a column the header lacks).
   */
  int[][] numericColumns(List<String> header) {
    Map<String, Integer> index = new HashMap<>();
    for (int c = 0; c < header.size(); c++) {
      index.put(header.get(c), c); // a repeated name reads as its last column, as the fields do
    }
    int[][] columns = new int[bindings.size()][];
    for (int i = 0; i < columns.length; i++) {
      Binding b = bindings.get(i);
      DataType type = b.spec().dataType();
      if (!CsvRowParser.takes(type) || b.fields().size() != b.spec().elementsPerRecord()) {
        return null;
      }
      columns[i] = new int[b.fields().size()];
      for (int k = 0; k < columns[i].length; k++) {
        Integer c = index.get(b.fields().get(k));
        if (c == null) {
          return null;
        }
        columns[i][k] = c;
      }
    }
    return columns;
  }

  /** The model this mapping feeds. */
  public ModelSignature signature() {
    return signature;
  }

  /**
   * One row of each input, in the model's input order, encoded in the wire layout.
   *
   * @throws RecordException naming the field that is missing, mistyped or of the wrong length
   */
  public ByteBuffer[] map(ObjectNode record) throws RecordException {
    ByteBuffer[] rows = new ByteBuffer[bindings.size()];
    for (int i = 0; i < rows.length; i++) {
      Binding b = bindings.get(i);
      List<Field> values = values(b, record);
      rows[i] = encode(b.spec(), values);
    }
    return rows;
  }

  /** One value and the field it came from, for messages. */
  private record Field(String name, JsonNode value) {}

  private List<Field> values(Binding b, ObjectNode record) throws RecordException {
    List<Field> out = new ArrayList<>();
    if (b.byInputName() && !record.has(b.spec().name())) {
      if (signature.inputs().size() > 1) {
        throw new RecordException("missing field '" + b.spec().name() + "'");
      }
      Iterator<Map.Entry<String, JsonNode>> it = record.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!passThrough.contains(e.getKey())) {
          flatten(e.getKey(), e.getValue(), out);
        }
      }
    } else {
      for (String f : b.fields()) {
        JsonNode v = record.get(f);
        if (v == null || v.isNull()) {
          throw new RecordException("missing field '" + f + "'");
        }
        flatten(f, v, out);
      }
    }
    long expected = b.spec().elementsPerRecord();
    if (out.size() != expected) {
      throw new RecordException(
          "input '"
              + b.spec().name()
              + "' takes "
              + expected
              + " values ("
              + b.spec().dataType()
              + " "
              + b.spec().dimsText()
              + "), the record gives "
              + out.size()
              + (b.byInputName() && !record.has(b.spec().name())
                  ? " (all its fields but --id/--keep)"
                  : " (fields " + b.fields() + ")"));
    }
    return out;
  }

  private static void flatten(String name, JsonNode v, List<Field> out) {
    if (v.isArray()) {
      for (JsonNode e : v) {
        flatten(name, e, out);
      }
    } else {
      out.add(new Field(name, v));
    }
  }

  private static ByteBuffer encode(Spec spec, List<Field> values) throws RecordException {
    DataType type = spec.dataType();
    if (type == DataType.BYTES) {
      byte[][] elements = new byte[values.size()][];
      for (int i = 0; i < elements.length; i++) {
        JsonNode v = values.get(i).value();
        if (v.isContainerNode()) {
          throw new RecordException(
              "field '" + values.get(i).name() + "' is " + v.getNodeType() + ", not a string");
        }
        elements[i] = v.asText().getBytes(StandardCharsets.UTF_8);
      }
      return BytesFraming.write(elements);
    }
    ByteBuffer out = Elements.allocate(type, values.size());
    for (Field f : values) {
      Elements.put(out, type, ValueParser.number(f.name(), f.value(), type));
    }
    return out.flip();
  }
}
