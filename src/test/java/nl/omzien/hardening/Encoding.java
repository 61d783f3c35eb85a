package nl.omzien.hardening;

import java.nio.charset.StandardCharsets;

/** Percent-encoding of URI parts, so a generated value reaches the server exactly as generated. */
final class Encoding {
  private Encoding() {
  }

  /** Encodes every byte except RFC 3986 unreserved characters. Lone surrogates become '?' (UTF-8 has none). */
  static String pathSegment(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  static String query(String value) {
    return pathSegment(value);
  }
}
