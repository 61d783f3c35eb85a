package nl.omzien.activities;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import nl.omzien.geo.PointIndex;

/**
 * The active activities in memory, by venue position, for "what is on near here" without a database round
 * trip. A read-optimised copy of PostgreSQL: built from it at start, then every committed create, update and
 * cancel is applied here. Reads are lock-free ({@link PointIndex}); writes are serialised and ordered by the
 * activity's stored {@code version}, so a slow, older write never overwrites a newer one.
 * <p>
 * One instance per process. With several instances each needs to hear the others' writes (PostgreSQL
 * LISTEN/NOTIFY); that is not wired yet.
 */
public final class ActivityIndex {
  /** Results sort by distance, then next session start, then id, so pages are stable. */
  static final Comparator<NearbyActivity> ORDER = ActivityIndex::compare;

  private static final int NEXT_SESSIONS_LIMIT = 50_000;

  private final PointIndex<ActivitySummary> points;
  private final ConcurrentHashMap<Long, NextSession> nextSessions = new ConcurrentHashMap<>();
  /** Latest version applied per seq, including removed ones, guarded by {@code this}. */
  private final Map<Long, Long> versions = new HashMap<>();

  private ActivityIndex(PointIndex<ActivitySummary> points) {
    this.points = points;
  }

  /** An index of the given activities; cancelled ones are left out. */
  public static ActivityIndex of(Collection<Activity> activities) {
    List<PointIndex.Entry<ActivitySummary>> entries = new ArrayList<>();
    Map<Long, Long> versions = new HashMap<>();
    for (Activity activity : activities) {
      versions.put(activity.seq(), activity.version());
      if (activity.active()) {
        entries.add(new PointIndex.Entry<>(activity.seq(), activity.venue().lat(), activity.venue().lon(),
            activity.summary()));
      }
    }
    ActivityIndex index = new ActivityIndex(PointIndex.build(entries));
    synchronized (index) {
      index.versions.putAll(versions);
    }
    return index;
  }

  /** Applies a committed write: active activities are (re)indexed, cancelled ones removed. */
  public synchronized void apply(Activity activity) {
    Long known = versions.get(activity.seq());
    if (known != null && known > activity.version()) {
      return;
    }
    versions.put(activity.seq(), activity.version());
    if (activity.active()) {
      points.upsert(activity.seq(), activity.venue().lat(), activity.venue().lon(), activity.summary());
    } else {
      points.remove(activity.seq());
    }
  }

  /** Number of active activities indexed. */
  public int size() {
    return points.size();
  }

  /** The indexed summary of an activity, if it is active. */
  public Optional<ActivitySummary> get(long seq) {
    return points.get(seq).map(PointIndex.Entry::payload);
  }

  /**
   * Active activities within the query's radius whose next fitting session has not ended at {@code now},
   * ordered by distance (metres), then that session's start, then id. This is also the in-process entry point
   * for matching ("activities near this point that fit this time and accessibility").
   */
  public List<NearbyActivity> near(ActivityQuery query, Instant now) {
    List<NearbyActivity> found = new ArrayList<>();
    for (PointIndex.Hit<ActivitySummary> hit : points.within(query.lat(), query.lon(), query.radiusMeters(),
        query::fitsStatically)) {
      nextSession(hit.payload(), now)
          .filter(next -> query.day().isEmpty() || next.date().getDayOfWeek() == query.day().get())
          .filter(query::fitsTime)
          .ifPresent(next -> found.add(new NearbyActivity(hit.payload(), hit.distanceMeters(), next)));
    }
    found.sort(ORDER);
    return found;
  }

  /**
   * By distance, then the next session's start instant, then id. Written out rather than chained from
   * {@code Comparator.comparingDouble(...).thenComparing(...)}: the chain of lambdas, and an {@code Instant} made
   * per comparison, were 3-4 % of a nearby listing's CPU (ActivityIndexTest checks the order against the chain).
   */
  private static int compare(NearbyActivity a, NearbyActivity b) {
    int byDistance = Double.compare(a.distanceMeters(), b.distanceMeters());
    if (byDistance != 0) {
      return byDistance;
    }
    int bySecond = Long.compare(a.next().startsAt().toEpochSecond(), b.next().startsAt().toEpochSecond());
    if (bySecond != 0) {
      return bySecond;
    }
    int byNano = Integer.compare(a.next().startsAt().getNano(), b.next().startsAt().getNano());
    return byNano != 0 ? byNano : a.activity().id().compareTo(b.activity().id());
  }

  /** An activity's next session as computed from {@code from} on: it stays the next one until it ends. */
  private record NextSession(ActivitySummary summary, Instant from, Occurrence next) {
    boolean answers(ActivitySummary asked, Instant now) {
      return summary == asked && !now.isBefore(from) && (next == null || now.isBefore(next.endsAt().toInstant()));
    }
  }

  /**
   * {@code schedule.nextOccurrence(now)}, remembered per indexed summary: working out a weekly session's dates
   * and zone offsets for every hit was a sixth of the listing's CPU, and the answer only changes when that
   * session ends (or the activity changes, which makes a new summary).
   */
  private Optional<Occurrence> nextSession(ActivitySummary summary, Instant now) {
    NextSession known = nextSessions.get(summary.seq());
    if (known != null && known.answers(summary, now)) {
      return Optional.ofNullable(known.next());
    }
    Optional<Occurrence> next = summary.schedule().nextOccurrence(now);
    if (nextSessions.size() >= NEXT_SESSIONS_LIMIT) {
      nextSessions.clear();
    }
    nextSessions.put(summary.seq(), new NextSession(summary, now, next.orElse(null)));
    return next;
  }

  /**
   * The next session of an activity that fits the query's day and time window, computed afresh: the definition
   * that {@link #near} answers with its remembered sessions (the index tests check one against the other).
   */
  static Optional<Occurrence> nextFitting(ActivitySummary activity, ActivityQuery query, Instant now) {
    Schedule schedule = activity.schedule();
    if (query.day().isEmpty()) {
      // A weekly activity fits a time window on all its sessions or none; a one-off has one session.
      return schedule.nextOccurrence(now).filter(query::fitsTime);
    }
    return schedule.nextOccurrenceOn(query.day().get(), now).filter(query::fitsTime);
  }
}
