package nl.omzien.demo;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import nl.omzien.geo.AreaIndex;

/**
 * Keeps the {@code wijk} and {@code buurt} reference rows equal to the polygons shipped in the jar (CBS 2024).
 * Runs at every start, in every mode (not only the demo): other tables refer to these codes.
 */
public final class AreaStore {
  private AreaStore() {
  }

  public static Future<Void> sync(Pool pool, AreaIndex areas) {
    List<Tuple> wijken = areas.wijken().stream()
        .map(w -> Tuple.of(w.code(), w.name(), w.population(), w.population65Plus()))
        .toList();
    List<Tuple> buurten = areas.buurten().stream()
        .map(b -> Tuple.of(b.code(), b.name(), b.wijkCode(), b.population(), b.population65Plus(),
            b.centroid().lat(), b.centroid().lon()))
        .toList();
    return pool.withTransaction(connection -> connection.preparedQuery("""
            insert into wijk (code, name, population, population_65plus) values ($1, $2, $3, $4)
            on conflict (code) do update set name = excluded.name, population = excluded.population,
              population_65plus = excluded.population_65plus
            """).executeBatch(wijken)
        .compose(done -> connection.preparedQuery("""
            insert into buurt (code, name, wijk_code, population, population_65plus, centroid_lat, centroid_lon)
            values ($1, $2, $3, $4, $5, $6, $7)
            on conflict (code) do update set name = excluded.name, wijk_code = excluded.wijk_code,
              population = excluded.population, population_65plus = excluded.population_65plus,
              centroid_lat = excluded.centroid_lat, centroid_lon = excluded.centroid_lon
            """).executeBatch(buurten))
        .mapEmpty());
  }
}
