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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every volunteer's tasks in memory (the requests they are or were matched to), for the facts a round reads of each
 * candidate: their tasks in the request's week (the weekly cap), their matches in the last 28 days (fair load) and
 * whether they helped this resident before (a known face). Reading those from PostgreSQL for every round was a
 * quarter of a new request's database time (issue #6, README "Load runs" item 20).
 *
 * <p>Loaded at start, then kept current by notifications: a trigger (V18) sends each change of a request that has or
 * had a volunteer, with the row's whole new state, to every instance on commit. PostgreSQL delivers notifications in
 * commit order, so applying them in turn gives the committed state. A load (at start, and after the LISTEN
 * connection was lost, when notifications may have been missed) holds the notifications heard from before its
 * snapshot until the snapshot is in place, then applies them in order: those its snapshot already saw only set a
 * row to a state it had before the later ones (or the snapshot) set it again, since each carries a whole row, so
 * the result is the committed state with nothing missed. The facts are those of the last notification heard: a
 * commit on any instance reaches them within milliseconds. The weekly cap was never a lock (two rounds planned at
 * once could always both ask a volunteer at their cap), so a few milliseconds change nothing a user could tell;
 * {@link #sync} waits for everything committed so far.
 *
 * <p>Reads are lock-free: a volunteer's tasks are an immutable array, replaced on each change, and a load swaps in
 * a whole new map.
 */
public final class TaskLedger {
  private static final Logger LOG = LoggerFactory.getLogger(TaskLedger.class);
  static final String CHANNEL = "omzien_task";
  private static final String TASKS = """
      select volunteer_id, id, resident_id, status in ('matched', 'completed') as counts,
             (extract(epoch from first_starts_at) * 1000)::int8 as starts_ms,
             (extract(epoch from matched_at) * 1000)::int8 as matched_ms
        from help_request where volunteer_id is not null
      """;
  private static final String SYNC = "select pg_notify('" + CHANNEL + "', 'sync ' || $1)";
  static final long RECENT_MS = 28L * 24 * 3600 * 1000;
  private static final Task[] NONE = new Task[0];

  /** One request of a volunteer: whether it counts as their task (matched or completed), its start, its match. */
  record Task(UUID request, UUID resident, boolean counts, long startsMs, long matchedMs) {
    static final long NEVER = Long.MIN_VALUE;
  }

  /** What a round reads of a candidate's tasks. */
  public record Facts(int weekTasks, int recentTasks, boolean knownFace) {
    static final Facts NONE = new Facts(0, 0, false);
  }

  private final Vertx vertx;
  private final Pool pool;
  /** Replaced whole by a load; changed in place (under {@code this}) by notifications. */
  private volatile Map<UUID, Task[]> byVolunteer = new ConcurrentHashMap<>();
  private PgSubscriber subscriber;
  /** Notifications heard while a load runs, applied after it. Guarded by {@code this}. */
  private List<String> held;
  /** The latest load; the next one starts after it. Guarded by {@code this}. */
  private Future<Void> loads = Future.succeededFuture();
  /** Waiters for their sync marker. Guarded by {@code this}. */
  private final Map<String, Promise<Void>> syncs = new HashMap<>();

  private TaskLedger(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /** Listens for changes, then loads every task; done when the first load is (failed when it failed). */
  public static Future<TaskLedger> start(Vertx vertx, Pool pool, PgConnectOptions listen) {
    TaskLedger ledger = new TaskLedger(vertx, pool);
    Promise<Void> first = Promise.promise();
    ledger.subscriber = PgSubscriber.subscriber(vertx, listen)
        .reconnectPolicy(retries -> retries < 1_000_000 ? 1_000L : -1L);
    ledger.subscriber.channel(CHANNEL)
        // Called once LISTEN is in place: at start, and after every reconnect (notifications may have been missed
        // while the connection was gone, so everything is read again).
        .subscribeHandler(v -> {
          if (!first.future().isComplete()) {
            ledger.load().onComplete(first);
          } else {
            ledger.reload();
          }
        })
        .handler(ledger::heard);
    return ledger.subscriber.connect().compose(v -> first.future()).map(ledger);
  }

  /** Loads again (after a lost connection), and again a second later for as long as that fails. */
  private void reload() {
    load().onFailure(failure -> {
      LOG.warn("task ledger: loading after a reconnect failed, again in a second: {}", failure.toString());
      vertx.setTimer(1_000, t -> reload());
    });
  }

  /** Loads one after the other: a load holds the notifications heard meanwhile until its snapshot is in place. */
  Future<Void> load() {
    synchronized (this) {
      loads = loads.transform(previous -> loadOnce());
      return loads;
    }
  }

  /**
   * Reads every task (one statement, one snapshot) and swaps them in; the notifications heard since just before the
   * read are applied after it, in order.
   */
  private Future<Void> loadOnce() {
    synchronized (this) {
      held = new ArrayList<>();
    }
    Map<UUID, List<Task>> read = new HashMap<>();
    return pool.withTransaction(connection -> connection.prepare(TASKS)
            .compose(statement -> {
              Promise<Void> done = Promise.promise();
              RowStream<Row> stream = statement.createStream(5_000);
              stream.exceptionHandler(done::tryFail);
              stream.endHandler(v -> done.tryComplete());
              stream.handler(row -> read.computeIfAbsent(row.getUUID("volunteer_id"), k -> new ArrayList<>())
                  .add(task(row)));
              return done.future();
            }))
        .transform(done -> {
          int tasks = 0;
          synchronized (this) {
            // After a failed load the old tasks stay, with what was heard meanwhile applied to them.
            Map<UUID, Task[]> loaded = byVolunteer;
            if (done.succeeded()) {
              loaded = new ConcurrentHashMap<>(read.size() * 2);
              for (Map.Entry<UUID, List<Task>> e : read.entrySet()) {
                loaded.put(e.getKey(), e.getValue().toArray(NONE));
                tasks += e.getValue().size();
              }
            }
            List<String> later = held;
            held = null;
            // Staged: a volunteer's array is copied once for all of them, not once per notification (one statement
            // that gave a volunteer 30,000 tasks, heard during a load, took seconds of the event loop).
            Staged staged = new Staged(loaded);
            for (String payload : later) {
              apply(staged, payload);
            }
            staged.write();
            byVolunteer = loaded;
          }
          if (done.failed()) {
            return Future.failedFuture(done.cause());
          }
          LOG.info("task ledger: {} tasks of {} volunteers", tasks, read.size());
          return Future.succeededFuture();
        });
  }

  private static Task task(Row row) {
    Long matched = row.getLong("matched_ms");
    return new Task(row.getUUID("id"), row.getUUID("resident_id"), row.getBoolean("counts"), row.getLong("starts_ms"),
        matched == null ? Task.NEVER : matched);
  }

  private void heard(String payload) {
    synchronized (this) {
      if (held != null) {
        held.add(payload);
        return;
      }
      apply(new Direct(byVolunteer), payload);
    }
  }

  /** Applies one notification to {@code tasks} (the caller holds the lock). Malformed ones are logged and ignored. */
  private void apply(Changes tasks, String payload) {
    String[] f = payload.split(" ");
    try {
      switch (f[0]) {
        case "task" -> {
          UUID request = UUID.fromString(f[1]);
          if (!f[2].equals("-")) {
            tasks.without(UUID.fromString(f[2]), request);
          }
          if (!f[3].equals("-")) {
            UUID volunteer = UUID.fromString(f[3]);
            tasks.without(volunteer, request);
            tasks.with(volunteer, new Task(request, UUID.fromString(f[4]), f[5].equals("1"), Long.parseLong(f[6]),
                f[7].equals("-") ? Task.NEVER : Long.parseLong(f[7])));
          }
        }
        case "reset" -> tasks.clear();
        case "sync" -> {
          Promise<Void> waiter = syncs.remove(f[1]);
          if (waiter != null) {
            vertx.runOnContext(v -> waiter.complete());
          }
        }
        default -> LOG.warn("task ledger: unknown notification {}", f[0]);
      }
    } catch (RuntimeException e) {
      LOG.warn("task ledger: ignored malformed notification '{}': {}", payload, e.toString());
    }
  }

  /** Changes to the tasks by volunteer, as notifications make them. */
  private interface Changes {
    /** The volunteer no longer has this request among their tasks. */
    void without(UUID volunteer, UUID request);

    /** The volunteer has this task (after {@link #without} of its request). */
    void with(UUID volunteer, Task task);

    void clear();
  }

  /** Each change at once: the volunteer's array copied without or with the one task (readers see whole arrays). */
  private record Direct(Map<UUID, Task[]> tasks) implements Changes {
    @Override
    public void without(UUID volunteer, UUID request) {
      Task[] theirs = tasks.get(volunteer);
      if (theirs == null) {
        return;
      }
      for (int i = 0; i < theirs.length; i++) {
        if (theirs[i].request().equals(request)) {
          if (theirs.length == 1) {
            tasks.remove(volunteer);
          } else {
            Task[] less = new Task[theirs.length - 1];
            System.arraycopy(theirs, 0, less, 0, i);
            System.arraycopy(theirs, i + 1, less, i, theirs.length - i - 1);
            tasks.put(volunteer, less);
          }
          return;
        }
      }
    }

    @Override
    public void with(UUID volunteer, Task task) {
      Task[] theirs = tasks.getOrDefault(volunteer, NONE);
      Task[] more = Arrays.copyOf(theirs, theirs.length + 1);
      more[theirs.length] = task;
      tasks.put(volunteer, more);
    }

    @Override
    public void clear() {
      tasks.clear();
    }
  }

  /**
   * A batch of changes: each volunteer touched is copied once into a map by request, changed there, and written back
   * as one array by {@link #write}; the same tasks in the same order as {@link Direct} one by one, in linear time.
   */
  private static final class Staged implements Changes {
    private final Map<UUID, Task[]> tasks;
    private final Map<UUID, LinkedHashMap<UUID, Task>> touched = new HashMap<>();

    Staged(Map<UUID, Task[]> tasks) {
      this.tasks = tasks;
    }

    private LinkedHashMap<UUID, Task> theirs(UUID volunteer) {
      return touched.computeIfAbsent(volunteer, v -> {
        LinkedHashMap<UUID, Task> byRequest = new LinkedHashMap<>();
        for (Task t : tasks.getOrDefault(v, NONE)) {
          byRequest.put(t.request(), t);
        }
        return byRequest;
      });
    }

    @Override
    public void without(UUID volunteer, UUID request) {
      theirs(volunteer).remove(request);
    }

    @Override
    public void with(UUID volunteer, Task task) {
      theirs(volunteer).put(task.request(), task);
    }

    @Override
    public void clear() {
      tasks.clear();
      touched.clear();
    }

    void write() {
      for (Map.Entry<UUID, LinkedHashMap<UUID, Task>> e : touched.entrySet()) {
        if (e.getValue().isEmpty()) {
          tasks.remove(e.getKey());
        } else {
          tasks.put(e.getKey(), e.getValue().values().toArray(NONE));
        }
      }
      touched.clear();
    }
  }

  /**
   * The facts of one candidate for a round of {@code request} (of {@code resident}): tasks starting in
   * [{@code weekStart}, {@code weekEnd}), matches after {@code now} minus 28 days, and whether another request of
   * this resident is or was theirs.
   */
  public Facts facts(UUID volunteer, UUID request, UUID resident, Instant weekStart, Instant weekEnd, Instant now) {
    Task[] tasks = byVolunteer.get(volunteer);
    if (tasks == null) {
      return Facts.NONE;
    }
    long from = weekStart.toEpochMilli();
    long to = weekEnd.toEpochMilli();
    long recent = now.toEpochMilli() - RECENT_MS;
    int week = 0;
    int matched = 0;
    boolean known = false;
    for (Task t : tasks) {
      if (t.counts() && t.startsMs() >= from && t.startsMs() < to) {
        week++;
      }
      if (t.matchedMs() != Task.NEVER && t.matchedMs() > recent) {
        matched++;
      }
      known |= t.counts() && t.resident().equals(resident) && !t.request().equals(request);
    }
    return new Facts(week, matched, known);
  }

  /** One volunteer's tasks as held now (for tests). */
  List<Task> tasksOf(UUID volunteer) {
    return List.of(byVolunteer.getOrDefault(volunteer, NONE));
  }

  /** How many tasks are held (for tests). */
  int size() {
    return byVolunteer.values().stream().mapToInt(t -> t.length).sum();
  }

  /** Done once everything committed before this call has been heard and applied. */
  public Future<Void> sync() {
    String token = UUID.randomUUID().toString();
    Promise<Void> heard = Promise.promise();
    synchronized (this) {
      syncs.put(token, heard);
    }
    return pool.preparedQuery(SYNC).execute(Tuple.of(token))
        .onFailure(failure -> {
          synchronized (this) {
            syncs.remove(token);
          }
        })
        .compose(v -> heard.future());
  }

  public Future<Void> close() {
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }
}
