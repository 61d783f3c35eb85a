package nl.omzien.reports;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The figures as CSV in long ("tidy") form, one value per line, so every measure (including each decline reason)
 * has a column-stable place and a spreadsheet can pivot it:
 * {@code wijk_code,wijk_name,from,to,kind,measure,value}. Measures are the JSON paths joined with dots
 * ({@code matched.share}, {@code offers.declineReasons.too_far}); the row over all asked wijken has wijk code
 * {@code total}. Built from the same JSON the API returns, so both always agree; suppressed values stay {@code <5}.
 */
public final class FiguresCsv {
  static final String HEADER = "wijk_code,wijk_name,from,to,kind,measure,value";

  private FiguresCsv() {
  }

  public static String of(JsonObject figures) {
    StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
    String from = figures.getJsonObject("period").getString("from");
    String to = figures.getJsonObject("period").getString("to");
    String kind = figures.getString("kind") == null ? "all" : figures.getString("kind");
    for (Object item : figures.getJsonArray("wijken")) {
      JsonObject wijk = (JsonObject) item;
      JsonObject ref = wijk.getJsonObject("wijk");
      rows(csv, ref.getString("code"), ref.getString("name"), from, to, kind, "", wijk);
    }
    rows(csv, "total", "all wijken asked", from, to, kind, "", figures.getJsonObject("total"));
    return csv.toString();
  }

  private static void rows(StringBuilder csv, String code, String name, String from, String to, String kind,
                           String prefix, JsonObject node) {
    for (String field : node.fieldNames()) {
      if (prefix.isEmpty() && field.equals("wijk")) {
        continue;
      }
      Object value = node.getValue(field);
      String measure = prefix + field;
      if (value instanceof JsonObject child) {
        rows(csv, code, name, from, to, kind, measure + ".", child);
      } else if (value instanceof JsonArray reasons) {
        for (Object entry : reasons) {
          JsonObject reason = (JsonObject) entry;
          line(csv, code, name, from, to, kind, measure + "." + reason.getString("reason"), reason.getValue("count"));
        }
      } else if (value != null) {
        line(csv, code, name, from, to, kind, measure, value);
      }
    }
  }

  private static void line(StringBuilder csv, String code, String name, String from, String to, String kind,
                           String measure, Object value) {
    csv.append(code).append(',').append(quote(name)).append(',').append(from).append(',').append(to).append(',')
        .append(kind).append(',').append(measure).append(',').append(quote(String.valueOf(value))).append("\r\n");
  }

  /** RFC 4180 quoting; also defuses spreadsheet formulas ({@code =}, {@code +}, {@code -}, {@code @} first). */
  static String quote(String value) {
    String safe = !value.isEmpty() && "=+@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
      return '"' + safe.replace("\"", "\"\"") + '"';
    }
    return safe;
  }
}
