package io.ringserve.server.internal.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MapEntry;
import com.google.protobuf.Message;
import java.io.IOException;
import java.util.Base64;
import java.util.List;

/**
 * Writes a protobuf message as the JSON Triton's HTTP server answers for the same message: proto
 * field names, enums by name, 64-bit integers as JSON numbers (protobuf's own JSON mapping writes
 * them as strings, which Triton's clients and dashboards do not expect), and every scalar field
 * even at its default value (so that a zero count reads {@code 0}, not a missing key). Unset
 * messages and oneof members are left out.
 *
 * <p>Stateless; walks the message once through its descriptor.
 */
final class ProtoJson {
  private ProtoJson() {}

  static void write(JsonGenerator json, Message message) throws IOException {
    json.writeStartObject();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.isRepeated()) {
        json.writeFieldName(field.getName());
        if (field.isMapField()) {
          writeMap(json, field, message);
        } else {
          json.writeStartArray();
          for (Object v : (List<?>) message.getField(field)) {
            value(json, field, v);
          }
          json.writeEndArray();
        }
      } else if (message.hasField(field)
          || (field.getRealContainingOneof() == null
              && field.getJavaType() != FieldDescriptor.JavaType.MESSAGE)) {
        json.writeFieldName(field.getName());
        value(json, field, message.getField(field));
      }
    }
    json.writeEndObject();
  }

  private static void writeMap(JsonGenerator json, FieldDescriptor field, Message message)
      throws IOException {
    json.writeStartObject();
    FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
    for (Object e : (List<?>) message.getField(field)) {
      MapEntry<?, ?> entry = (MapEntry<?, ?>) e;
      json.writeFieldName(String.valueOf(entry.getKey()));
      value(json, valueField, entry.getValue());
    }
    json.writeEndObject();
  }

  private static void value(JsonGenerator json, FieldDescriptor field, Object v)
      throws IOException {
    switch (field.getType()) {
      case UINT64, FIXED64 -> json.writeNumber(Long.toUnsignedString((Long) v));
      case UINT32, FIXED32 -> json.writeNumber(Integer.toUnsignedLong((Integer) v));
      case INT64, SINT64, SFIXED64 -> json.writeNumber((Long) v);
      case INT32, SINT32, SFIXED32 -> json.writeNumber((Integer) v);
      case FLOAT -> json.writeNumber((Float) v);
      case DOUBLE -> json.writeNumber((Double) v);
      case BOOL -> json.writeBoolean((Boolean) v);
      case STRING -> json.writeString((String) v);
      case BYTES ->
          json.writeString(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
      case ENUM -> json.writeString(((EnumValueDescriptor) v).getName());
      case MESSAGE, GROUP -> write(json, (Message) v);
    }
  }
}
