package nl.omzien.activities;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  private final PointIndex<Indexed> points;
  /** Latest version applied per seq, including removed ones, guarded by {@code this}. */
  private final Map<Long, Long> versions = new HashMap<>();

  private ActivityIndex(PointIndex<Indexed> points) {
    this.points = points;
  }

  /** An index of the given activities; cancelled ones are left out. */
  public static ActivityIndex of(Collection<Activity> activities) {
    List<PointIndex.Entry<Indexed>> entries = new ArrayList<>();
    Map<Long, Long> versions = new HashMap<>();
    for (Activity activity : activities) {
      versions.put(activity.seq(), activity.version());
      if (activity.active()) {
        entries.add(new PointIndex.Entry<>(activity.seq(), activity.venue().lat(), activity.venue().lon(),
            new Indexed(activity.summary())));
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
      points.upsert(activity.seq(), activity.venue().lat(), activity.venue().lon(), new Indexed(activity.summary()));
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
    return points.get(seq).map(entry -> entry.payload().summary());
  }

  /**
   * Active activities within the query's radius whose next fitting session has not ended at {@code now},
   * ordered by distance (metres), then that session's start, then id. This is also the in-process entry point
   * for matching ("activities near this point that fit this time and accessibility").
   */
  public List<NearbyActivity> near(ActivityQuery query, Instant now) {
    List<NearbyActivity> found = new ArrayList<>();
    for (PointIndex.Hit<Indexed> hit : points.within(query.lat(), query.lon(), query.radiusMeters(),
        indexed -> query.fitsStatically(indexed.summary()))) {
      Indexed indexed = hit.payload();
      indexed.nextSession(now)
          .filter(next -> query.day().isEmpty() || next.date().getDayOfWeek() == query.day().get())
          .filter(query::fitsTime)
          .ifPresent(next -> found.add(new NearbyActivity(indexed.summary(), hit.distanceMeters(), next)));
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
  private record NextSession(Instant from, Occurrence next) {
    boolean answers(Instant now) {
      return !now.isBefore(from) && (next == null || now.isBefore(next.endsAt().toInstant()));
    }
  }

  /**
   * An indexed summary, with its next session remembered: {@code schedule.nextOccurrence(now)} for every hit (a
   * weekly session's dates and zone offsets) was a sixth of the listing's CPU, and the answer only changes when that
   * session ends. A change of the activity indexes a new {@code Indexed}, so nothing remembered outlives it. Kept on
   * the indexed entry rather than in a map by id, whose lookup (a boxed key, a hash) was 2 % of a nearby request.
   */
  private static final class Indexed {
    private final ActivitySummary summary;
    /** Written by whichever reader computed it last; every value is a correct answer for its {@code from}. */
    private volatile NextSession next;

    Indexed(ActivitySummary summary) {
      this.summary = summary;
    }

    ActivitySummary summary() {
      return summary;
    }

    Optional<Occurrence> nextSession(Instant now) {
      NextSession known = next;
      if (known != null && known.answers(now)) {
        return Optional.ofNullable(known.next());
      }
      Optional<Occurrence> computed = summary.schedule().nextOccurrence(now);
      next = new NextSession(now, computed.orElse(null));
      return computed;
    }
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
