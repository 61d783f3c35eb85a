package nl.omzien.hardening;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * JSON text for fuzzing, written by hand so that anything a Java string holds reaches the server exactly: with
 * {@code asciiOnly} every non-ASCII character is a {@code \\uXXXX} escape, so lone surrogates arrive as such
 * (an encoder would replace them); without it, text is written as the caller then encodes it.
 */
final class JsonText {
  private JsonText() {
  }

  static String encode(Object value, boolean asciiOnly) {
    StringBuilder out = new StringBuilder();
    write(value, asciiOnly, out);
    return out.toString();
  }

  private static void write(Object value, boolean asciiOnly, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof JsonObject object) {
      write(object.getMap(), asciiOnly, out);
    } else if (value instanceof JsonArray array) {
      write(array.getList(), asciiOnly, out);
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(String.valueOf(entry.getKey()), asciiOnly, out);
        out.append(':');
        write(entry.getValue(), asciiOnly, out);
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(list.get(i), asciiOnly, out);
      }
      out.append(']');
    } else if (value instanceof String s) {
      string(s, asciiOnly, out);
    } else if (value instanceof Double d) {
      out.append(d.isNaN() || d.isInfinite() ? d.toString() : BigDecimal.valueOf(d).toString());
    } else if (value instanceof Float f) {
      out.append(BigDecimal.valueOf(f).toString());
    } else if (value instanceof Number || value instanceof Boolean || value instanceof BigInteger) {
      out.append(value);
    } else {
      string(value.toString(), asciiOnly, out);
    }
  }

  private static void string(String s, boolean asciiOnly, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || (asciiOnly && c > 0x7e)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
