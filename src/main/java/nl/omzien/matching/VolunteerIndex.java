package nl.omzien.matching;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import nl.omzien.geo.PointIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every volunteer in memory, by home point, for candidate search without a database round trip: built from
 * PostgreSQL at start (streamed, then indexed on a worker thread) and kept current on every write. Writes reach
 * it two ways: the instance that made the change refreshes it before answering (read your own writes), and
 * every instance hears {@code NOTIFY omzien_volunteer} (sent by a trigger on commit) and refreshes from the
 * database, so a change made through one instance is visible to matching on all of them within milliseconds.
 * After the LISTEN connection was lost, the index is rebuilt from the database (notifications may have been
 * missed). Reads are lock-free ({@link PointIndex}); refreshes are ordered by the profile's {@code updated_at},
 * so a slow, older read never overwrites a newer one.
 */
public final class VolunteerIndex {
  private static final Logger LOG = LoggerFactory.getLogger(VolunteerIndex.class);
  static final String CHANNEL = "omzien_volunteer";
  private static final String SELECT = """
      select p.user_id, p.seq, p.lat, p.lon, p.travel_km::float8 as travel_km, p.transport, p.skills, p.languages,
             p.vog_issued_on, p.weekly_cap, p.paused, (extract(epoch from p.updated_at) * 1000000)::int8 as version,
             array(select m from volunteer_availability a
                   cross join lateral (values (1, (a.day_of_week - 1) * 1440 + (extract(epoch from a.start_time) / 60)::int),
                                              (2, (a.day_of_week - 1) * 1440 + (extract(epoch from a.end_time) / 60)::int))
                                      as e(ord, m)
                    where a.volunteer_id = p.user_id order by a.day_of_week, a.start_time, e.ord) as slots
        from volunteer_profile p
      """;
  private static final String SOME = SELECT + " where p.user_id = any ($1)";
  /** Volunteers re-read per query when notifications come in bursts. */
  private static final int BATCH = 500;
  private static final long RETRY_MS = 1_000;

  private final Vertx vertx;
  private final Pool pool;
  private volatile PointIndex<VolunteerCard> points;
  /** Per volunteer: index key and latest version applied; guarded by {@code this}. */
  private final Map<UUID, long[]> known = new HashMap<>();
  private PgSubscriber subscriber;
  /** Volunteers heard of (NOTIFY) and not re-read yet; guarded by {@code this}. */
  private final Set<UUID> heard = new LinkedHashSet<>();
  /** Whether a re-read of {@link #heard} is under way; guarded by {@code this}. */
  private boolean rereading;

  private VolunteerIndex(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /** Loads every volunteer and starts listening for changes (when {@code listen} has connect options). */
  public static Future<VolunteerIndex> start(Vertx vertx, Pool pool, Optional<PgConnectOptions> listen) {
    VolunteerIndex index = new VolunteerIndex(vertx, pool);
    return index.reload()
        .compose(v -> listen.map(index::listen).orElse(Future.succeededFuture()))
        .map(index);
  }

  /** Reads all profiles (streamed in chunks) and swaps in a freshly built index. */
  public Future<Void> reload() {
    return pool.withTransaction(connection -> connection.prepare(SELECT).compose(statement -> {
          Promise<List<VolunteerCard>> done = Promise.promise();
          List<VolunteerCard> cards = new ArrayList<>();
          RowStream<Row> stream = statement.createStream(5_000);
          stream.exceptionHandler(done::tryFail);
          stream.endHandler(v -> done.tryComplete(cards));
          stream.handler(row -> cards.add(card(row)));
          return done.future();
        }))
        .compose(cards -> vertx.executeBlocking(() -> {
          List<PointIndex.Entry<VolunteerCard>> entries = new ArrayList<>(cards.size());
          cards.forEach(c -> entries.add(new PointIndex.Entry<>(c.seq(), c.lat(), c.lon(), c)));
          return Map.entry(cards, PointIndex.build(entries));
        }, false))
        .map(built -> {
          synchronized (this) {
            known.clear();
            built.getKey().forEach(c -> known.put(c.id(), new long[] {c.seq(), c.version()}));
            points = built.getValue();
          }
          LOG.info("volunteer index: {} volunteers", built.getKey().size());
          return null;
        });
  }

  private Future<Void> listen(PgConnectOptions options) {
    subscriber = PgSubscriber.subscriber(vertx, options)
        .reconnectPolicy(retries -> retries < 1_000_000 ? 1_000L : -1L);
    boolean[] first = {true};
    subscriber.channel(CHANNEL)
        .subscribeHandler(v -> {
          if (first[0]) {
            first[0] = false;
            return;
          }
          // Listening again after a lost connection: anything sent meanwhile was missed.
          reload().onFailure(failure -> LOG.warn("volunteer index: reload after reconnect failed: {}",
              failure.toString()));
        })
        .handler(payload -> {
          UUID id;
          try {
            id = UUID.fromString(payload);
          } catch (IllegalArgumentException e) {
            return;
          }
          heard(id);
        });
    return subscriber.connect();
  }

  /** Re-reads one volunteer from the database and applies it (removes them when their profile is gone). */
  public Future<Void> refresh(UUID volunteer) {
    return refresh(List.of(volunteer));
  }

  /** Re-reads these volunteers in one query and applies them (removes those whose profile is gone). */
  public Future<Void> refresh(Collection<UUID> volunteers) {
    if (volunteers.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(SOME).execute(Tuple.of(volunteers.toArray(UUID[]::new))).map(rows -> {
      Set<UUID> gone = new HashSet<>(volunteers);
      for (Row row : rows) {
        VolunteerCard card = card(row);
        gone.remove(card.id());
        apply(card);
      }
      gone.forEach(this::remove);
      return null;
    });
  }

  /**
   * A notification: the volunteer is re-read soon. A burst (a bulk import, a migration touching every profile) is
   * read {@link #BATCH} at a time, one query after the other, instead of one query per notification all at once,
   * which overflowed the pool's wait queue and lost those refreshes. A failed read is tried again after a second,
   * with whatever was heard meanwhile: nothing heard is dropped.
   */
  void heard(UUID volunteer) {
    synchronized (this) {
      heard.add(volunteer);
      if (rereading) {
        return;
      }
      rereading = true;
    }
    reread();
  }

  private void reread() {
    List<UUID> batch = new ArrayList<>(BATCH);
    synchronized (this) {
      Iterator<UUID> next = heard.iterator();
      while (next.hasNext() && batch.size() < BATCH) {
        batch.add(next.next());
        next.remove();
      }
      if (batch.isEmpty()) {
        rereading = false;
        return;
      }
    }
    refresh(batch).onComplete(done -> {
      if (done.succeeded()) {
        reread();
        return;
      }
      LOG.warn("volunteer index: re-reading {} volunteer(s) failed, again in {} ms: {}", batch.size(), RETRY_MS,
          done.cause().toString());
      synchronized (this) {
        heard.addAll(batch);
      }
      vertx.setTimer(RETRY_MS, t -> reread());
    });
  }

  /** Applies a volunteer's current profile unless a newer one was applied already. */
  public synchronized void apply(VolunteerCard card) {
    long[] seen = known.get(card.id());
    if (seen != null && seen[1] > card.version()) {
      return;
    }
    known.put(card.id(), new long[] {card.seq(), card.version()});
    points.upsert(card.seq(), card.lat(), card.lon(), card);
  }

  public synchronized void remove(UUID volunteer) {
    long[] seen = known.remove(volunteer);
    if (seen != null) {
      points.remove(seen[0]);
    }
  }

  public int size() {
    return points.size();
  }

  public Optional<VolunteerCard> get(UUID volunteer) {
    long[] seen;
    synchronized (this) {
      seen = known.get(volunteer);
    }
    return seen == null ? Optional.empty() : points.get(seen[0]).map(PointIndex.Entry::payload);
  }

  /** The {@code k} nearest volunteers within {@code radiusMeters} who pass {@code filter}, nearest first. */
  public List<PointIndex.Hit<VolunteerCard>> nearest(double lat, double lon, int k, double radiusMeters,
                                                     Predicate<? super VolunteerCard> filter) {
    return points.nearest(lat, lon, k, radiusMeters, filter);
  }

  /** Every volunteer within {@code radiusMeters}, nearest first (for explanations to ambassadors). */
  public List<PointIndex.Hit<VolunteerCard>> within(double lat, double lon, double radiusMeters) {
    return points.within(lat, lon, radiusMeters, c -> true);
  }

  public Future<Void> close() {
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }

  /** Sets and dates shared among cards (they repeat across volunteers; see SharedValues). */
  private static final SharedValues SHARED = new SharedValues();

  static VolunteerCard card(Row row) {
    LocalDate vog = SHARED.date(row.getLocalDate("vog_issued_on"));
    Object raw = row.getValue("slots");
    int[] slots;
    if (raw instanceof Integer[] boxed) {
      slots = new int[boxed.length];
      for (int i = 0; i < boxed.length; i++) {
        slots[i] = boxed[i];
      }
    } else {
      slots = new int[0];
    }
    return new VolunteerCard(row.getUUID("user_id"), row.getLong("seq"), row.getDouble("lat"), row.getDouble("lon"),
        row.getDouble("travel_km") * 1000, VolunteerCard.transportBits(List.of(row.getArrayOfStrings("transport"))),
        SHARED.set(row.getArrayOfStrings("skills")), SHARED.set(row.getArrayOfStrings("languages")), vog,
        row.getInteger("weekly_cap"), row.getBoolean("paused"), slots, row.getLong("version"));
  }
}
