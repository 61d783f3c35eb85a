package nl.omzien.hardening;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a write would change, per table: the row count and the newest committed row version ({@code max(xmin)}).
 * An insert or delete changes the count, an update the newest xmin; rows of a rolled-back transaction are
 * invisible, so a request that failed and rolled back leaves every fingerprint as it was. One query for all
 * tables of the schema, so it is cheap enough to take after every request. The figures' fact tables
 * ({@code figures_*}, V10) are left out: they are derived from the other tables by a background flush (every 2 s),
 * so they change without any request, and any write they could reflect shows in their source tables.
 */
final class TableFingerprint {
  private final Pool pool;
  private final String query;

  private TableFingerprint(Pool pool, String query) {
    this.pool = pool;
    this.query = query;
  }

  static TableFingerprint of(Pool pool) throws Exception {
    List<String> tables = pool.query("""
            select table_name from information_schema.tables
             where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'flyway_schema_history'
               and table_name not like 'figures\\_%'
             order by table_name
            """).execute().await(10, TimeUnit.SECONDS).stream().map(row -> row.getString(0)).toList();
    String query = tables.stream()
        .map(t -> "select '" + t + "' as t, count(*) as n, coalesce(max(xmin::text::bigint), 0) as x from \"" + t + "\"")
        .collect(Collectors.joining(" union all "));
    return new TableFingerprint(pool, query);
  }

  /** Table name to "rows/newest xmin". */
  Map<String, String> take() throws Exception {
    Map<String, String> result = new TreeMap<>();
    for (Row row : pool.query(query).execute().await(10, TimeUnit.SECONDS)) {
      result.put(row.getString("t"), row.getLong("n") + "/" + row.getLong("x"));
    }
    return result;
  }

  /** The tables whose fingerprint differs, with before and after. */
  static Map<String, String> changed(Map<String, String> before, Map<String, String> after) {
    Map<String, String> changed = new TreeMap<>();
    after.forEach((table, now) -> {
      if (!now.equals(before.get(table))) {
        changed.put(table, before.get(table) + " -> " + now);
      }
    });
    return changed;
  }
}
