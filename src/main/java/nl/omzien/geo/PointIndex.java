package nl.omzien.geo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * An in-memory spatial index of points with a {@code long} id and a payload, for many concurrent readers
 * and one writer at a time. Coordinates are WGS84 degrees, latitude first; every distance is a true
 * great-circle distance in metres ({@link Distances#haversineMeters}).
 *
 * <h2>Design</h2>
 * Readers see an immutable {@code State}: a <em>snapshot</em> (a sorted grid, below) plus a small
 * immutable <em>delta</em> (upserted points and the snapshot slots they hide). A write copies the delta
 * (bounded by the compaction threshold, so a few kilobytes) and publishes a new state through one
 * volatile write: a query never blocks, never sees half a write, and never sees an id twice. When the
 * delta reaches {@link Options#compactionThreshold()} a compaction merges it into a new snapshot on the
 * compaction executor; writes made meanwhile are logged and replayed on the new snapshot before it is
 * swapped in. {@link #rebuild()} does the same synchronously.
 * <p>
 * The snapshot is a grid of cells of about {@link Options#cellSizeMeters()} (in degrees: fixed latitude
 * steps, longitude steps widened by 1/cos of a reference latitude, 52.1° N by default), stored as flat
 * primitive arrays sorted by cell, with a hash from cell key to its slot range and from id to slot.
 * Chosen over JTS {@code STRtree} because the STRtree is frozen after build (as is this snapshot) but its
 * k-nearest search cannot apply a filter while searching and measures in degrees, while this grid
 * prunes cells with a lower bound that is exact for the haversine metric, applies the filter during the
 * search, and stores a point in about 80 bytes (measured) instead of an envelope plus node objects.
 * <p>
 * Costs: a write copies the delta, O(delta); a compaction is a full O(n log n) rebuild (about 0.3 s for
 * 1M points). If writes arrive faster than compactions finish, the delta grows past the threshold until
 * the running compaction lands, and writes get slower meanwhile (never wrong).
 *
 * <h2>Correctness</h2>
 * Candidate windows are conservative: the latitude window is the radius as a meridian angle, the
 * longitude window uses the cosine at the box's extreme latitude (and never less than the exact
 * spherical tangent), cells are skipped only when a lower bound on the haversine term of every point in
 * them exceeds the current bound, and each candidate is refined with the exact haversine distance.
 * A point at distance {@code <= radius} is inside. Queries whose box reaches a pole or the antimeridian
 * fall back to scanning every cell with a latitude-only bound. Results are ordered by distance, ties by id.
 *
 * @param <T> payload type; immutable payloads are recommended because filters run on reader threads
 */
public final class PointIndex<T> {

    /**
     * A point to index.
     *
     * @param id      caller's identifier, unique within an index
     * @param lat     latitude in degrees
     * @param lon     longitude in degrees
     * @param payload non-null data a filter looks at
     */
    public record Entry<T>(long id, double lat, double lon, T payload) {
        /** @throws IllegalArgumentException if a coordinate is invalid; NullPointerException if payload is null */
        public Entry {
            GeoPoint.requireValid(lat, lon);
            Objects.requireNonNull(payload, "payload");
        }
    }

    /**
     * A query result.
     *
     * @param id             the point's id
     * @param lat            its latitude in degrees
     * @param lon            its longitude in degrees
     * @param distanceMeters great-circle distance from the query point in metres
     * @param payload        its payload
     */
    public record Hit<T>(long id, double lat, double lon, double distanceMeters, T payload) {
    }

    /**
     * Tuning.
     *
     * @param cellSizeMeters      grid cell edge in metres at the reference latitude (10 m .. 100 km)
     * @param referenceLatitude   latitude in degrees where cells are square (52.1 for the Netherlands);
     *                            only affects speed, never results
     * @param compactionThreshold delta entries (upserts plus hidden snapshot points) that trigger a
     *                            background compaction; each write copies up to this many entries
     * @param compactionExecutor  where background compactions run; {@code null} means only
     *                            {@link #rebuild()} compacts
     */
    public record Options(double cellSizeMeters, double referenceLatitude, int compactionThreshold,
                          Executor compactionExecutor) {

        public Options {
            if (!(cellSizeMeters >= 10 && cellSizeMeters <= 100_000)) {
                throw new IllegalArgumentException("cellSizeMeters must be in [10, 100000]: " + cellSizeMeters);
            }
            if (!(Math.abs(referenceLatitude) <= 80)) {
                throw new IllegalArgumentException("referenceLatitude must be in [-80, 80]: " + referenceLatitude);
            }
            if (compactionThreshold < 1) {
                throw new IllegalArgumentException("compactionThreshold must be positive: " + compactionThreshold);
            }
        }

        /** 250 m cells at 52.1° N, compaction after 1024 changes on a shared daemon thread. */
        public static Options defaults() {
            return new Options(250, 52.1, 1024, SharedCompactor.EXECUTOR);
        }

        public Options withCompactionExecutor(Executor executor) {
            return new Options(cellSizeMeters, referenceLatitude, compactionThreshold, executor);
        }

        public Options withCompactionThreshold(int threshold) {
            return new Options(cellSizeMeters, referenceLatitude, threshold, compactionExecutor);
        }

        public Options withCellSizeMeters(double meters) {
            return new Options(meters, referenceLatitude, compactionThreshold, compactionExecutor);
        }
    }

    private static final class SharedCompactor {
        static final ExecutorService EXECUTOR = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "point-index-compaction");
            t.setDaemon(true);
            return t;
        });
    }

    private final Grid grid;
    private final Options options;
    private volatile State<T> state;

    /** Serialises writers; guards {@link #replayLog} and {@link #compactionScheduled}. */
    private final Object writeLock = new Object();
    /** One compaction at a time. */
    private final ReentrantLock compactionLock = new ReentrantLock();
    /** Non-null while a compaction runs: writes to replay on the new snapshot. */
    private List<Write<T>> replayLog;
    private boolean compactionScheduled;

    private PointIndex(Options options, Snapshot<T> base) {
        this.options = options;
        this.grid = base.grid;
        this.state = new State<>(base, Delta.empty());
    }

    /** An empty index with {@link Options#defaults()}. */
    public static <T> PointIndex<T> empty() {
        return build(List.of());
    }

    /**
     * Bulk-builds an index with {@link Options#defaults()}.
     *
     * @throws IllegalArgumentException if two entries share an id
     */
    public static <T> PointIndex<T> build(Collection<Entry<T>> entries) {
        return build(entries, Options.defaults());
    }

    /**
     * Bulk-builds an index.
     *
     * @throws IllegalArgumentException if two entries share an id
     */
    public static <T> PointIndex<T> build(Collection<Entry<T>> entries, Options options) {
        Grid grid = new Grid(options.cellSizeMeters(), options.referenceLatitude());
        int n = entries.size();
        PointArrays arrays = new PointArrays(n);
        for (Entry<T> e : entries) {
            arrays.add(e.id(), e.lat(), e.lon(), Distances.cosLat(e.lat()), e.payload());
        }
        return new PointIndex<>(options, Snapshot.of(grid, arrays, true));
    }

    /** Number of points currently indexed. */
    public int size() {
        return state.size();
    }

    /** The point with this id, if indexed. */
    public Optional<Entry<T>> get(long id) {
        State<T> s = state;
        int d = Arrays.binarySearch(s.delta.ids, id);
        if (d >= 0) {
            return Optional.of(new Entry<>(id, s.delta.lat[d], s.delta.lon[d], s.delta.payload(d)));
        }
        int slot = s.base.slotOf(id);
        if (slot < 0 || s.delta.hides(slot)) {
            return Optional.empty();
        }
        return Optional.of(new Entry<>(id, s.base.lat[slot], s.base.lon[slot], s.base.payload(slot)));
    }

    /**
     * Adds a point or replaces the position and payload of the point with this id.
     *
     * @param lat latitude in degrees
     * @param lon longitude in degrees
     * @throws IllegalArgumentException if a coordinate is invalid; NullPointerException if payload is null
     */
    public void upsert(long id, double lat, double lon, T payload) {
        Entry<T> entry = new Entry<>(id, lat, lon, payload);
        synchronized (writeLock) {
            state = state.upsert(entry);
            if (replayLog != null) {
                replayLog.add(new Write<>(id, entry));
            }
            maybeScheduleCompaction();
        }
    }

    /**
     * Removes the point with this id.
     *
     * @return true if it was indexed
     */
    public boolean remove(long id) {
        synchronized (writeLock) {
            State<T> next = state.remove(id);
            if (next == state) {
                return false;
            }
            state = next;
            if (replayLog != null) {
                replayLog.add(new Write<>(id, null));
            }
            maybeScheduleCompaction();
            return true;
        }
    }

    /**
     * Merges the pending changes into a new snapshot on the calling thread (about a second per million
     * points) and swaps it in; readers and writers are not blocked meanwhile.
     */
    public void rebuild() {
        compactionLock.lock();
        try {
            State<T> from;
            synchronized (writeLock) {
                from = state;
                replayLog = new ArrayList<>();
            }
            Snapshot<T> merged = null;
            try {
                merged = Snapshot.merge(from);
            } finally {
                synchronized (writeLock) {
                    if (merged != null) {
                        State<T> next = new State<>(merged, Delta.empty());
                        for (Write<T> write : replayLog) {
                            next = write.upsert() == null ? next.remove(write.id()) : next.upsert(write.upsert());
                        }
                        state = next;
                    }
                    replayLog = null;
                }
            }
        } finally {
            compactionLock.unlock();
        }
    }

    /** Number of changes not yet merged into the snapshot (for monitoring and tests). */
    public int pendingChanges() {
        return state.delta.changeCount();
    }

    private void maybeScheduleCompaction() {
        Executor executor = options.compactionExecutor();
        if (executor == null || compactionScheduled
                || state.delta.changeCount() < options.compactionThreshold()) {
            return;
        }
        compactionScheduled = true;
        try {
            executor.execute(() -> {
                try {
                    rebuild();
                } finally {
                    synchronized (writeLock) {
                        compactionScheduled = false;
                        maybeScheduleCompaction();
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            compactionScheduled = false; // next write tries again; queries stay correct meanwhile
        }
    }

    /** {@link #nearest(double, double, int, double, Predicate)} without a filter. */
    public List<Hit<T>> nearest(double lat, double lon, int k, double maxRadiusMeters) {
        return nearest(lat, lon, k, maxRadiusMeters, p -> true);
    }

    /**
     * The {@code k} points nearest to a location that pass {@code filter} and lie within
     * {@code maxRadiusMeters}, nearest first, ties by ascending id. The filter is applied during the
     * search, so this returns {@code k} eligible points even when most points are filtered out.
     *
     * @param lat             latitude in degrees
     * @param lon             longitude in degrees
     * @param k               at most this many hits ({@code >= 0})
     * @param maxRadiusMeters inclusive search radius in metres ({@code >= 0}, may be infinite)
     * @param filter          must be thread-safe and side-effect free; called on the caller's thread
     */
    public List<Hit<T>> nearest(double lat, double lon, int k, double maxRadiusMeters, Predicate<? super T> filter) {
        GeoPoint.requireValid(lat, lon);
        requireRadius(maxRadiusMeters);
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0: " + k);
        }
        Objects.requireNonNull(filter, "filter");
        if (k == 0) {
            return List.of();
        }
        Search<T> search = new Search<>(lat, lon, maxRadiusMeters, k, filter);
        search.run(state, grid);
        return search.hits();
    }

    /**
     * All points within {@code radiusMeters} of a location that pass {@code filter}, nearest first,
     * ties by ascending id.
     *
     * @param lat          latitude in degrees
     * @param lon          longitude in degrees
     * @param radiusMeters inclusive radius in metres ({@code >= 0}, may be infinite)
     * @param filter       must be thread-safe and side-effect free
     */
    public List<Hit<T>> within(double lat, double lon, double radiusMeters, Predicate<? super T> filter) {
        GeoPoint.requireValid(lat, lon);
        requireRadius(radiusMeters);
        Objects.requireNonNull(filter, "filter");
        Search<T> search = new Search<>(lat, lon, radiusMeters, Integer.MAX_VALUE, filter);
        search.run(state, grid);
        return search.hits();
    }

    private static void requireRadius(double radiusMeters) {
        if (!(radiusMeters >= 0)) {
            throw new IllegalArgumentException("radius must be >= 0 metres: " + radiusMeters);
        }
    }

    // ------------------------------------------------------------------------------------------------

    /** Cell geometry in degrees. Cell (row, col) covers [latLo, latLo + cellLat) x [lonLo, lonLo + cellLon). */
    static final class Grid {
        final double cellLat;
        final double cellLon;
        final int rows;
        final int cols;

        Grid(double cellSizeMeters, double referenceLatitude) {
            cellLat = Math.toDegrees(cellSizeMeters / Distances.EARTH_RADIUS_METERS);
            cellLon = cellLat / Math.cos(Math.toRadians(referenceLatitude));
            rows = (int) Math.ceil(180.0 / cellLat);
            cols = (int) Math.ceil(360.0 / cellLon);
        }

        int row(double lat) {
            return Math.min(rows - 1, Math.max(0, (int) Math.floor((lat + 90.0) / cellLat)));
        }

        int col(double lon) {
            return Math.min(cols - 1, Math.max(0, (int) Math.floor((lon + 180.0) / cellLon)));
        }

        long key(int row, int col) {
            return (long) row * cols + col;
        }

        double latLo(int row) {
            return row * cellLat - 90.0;
        }

        double lonLo(int col) {
            return col * cellLon - 180.0;
        }
    }

    /** Growable parallel arrays used while building a snapshot. */
    private static final class PointArrays {
        long[] ids;
        double[] lat;
        double[] lon;
        double[] cos;
        Object[] payload;
        int n;

        PointArrays(int capacity) {
            ids = new long[capacity];
            lat = new double[capacity];
            lon = new double[capacity];
            cos = new double[capacity];
            payload = new Object[capacity];
        }

        void add(long id, double la, double lo, double c, Object p) {
            if (n == ids.length) {
                int cap = Math.max(16, n * 2);
                ids = Arrays.copyOf(ids, cap);
                lat = Arrays.copyOf(lat, cap);
                lon = Arrays.copyOf(lon, cap);
                cos = Arrays.copyOf(cos, cap);
                payload = Arrays.copyOf(payload, cap);
            }
            ids[n] = id;
            lat[n] = la;
            lon[n] = lo;
            cos[n] = c;
            payload[n] = p;
            n++;
        }
    }

    /** Immutable points sorted by grid cell. */
    static final class Snapshot<T> {
        final Grid grid;
        final int n;
        final long[] ids;
        final double[] lat;
        final double[] lon;
        final double[] cos;
        final Object[] payloads;
        final long[] cellKeys;
        final int[] cellStart;
        final LongIntMap cellIndex;
        final LongIntMap slotById;

        private Snapshot(Grid grid, int n, long[] ids, double[] lat, double[] lon, double[] cos, Object[] payloads,
                         long[] cellKeys, int[] cellStart, LongIntMap cellIndex, LongIntMap slotById) {
            this.grid = grid;
            this.n = n;
            this.ids = ids;
            this.lat = lat;
            this.lon = lon;
            this.cos = cos;
            this.payloads = payloads;
            this.cellKeys = cellKeys;
            this.cellStart = cellStart;
            this.cellIndex = cellIndex;
            this.slotById = slotById;
        }

        @SuppressWarnings("unchecked")
        T payload(int slot) {
            return (T) payloads[slot];
        }

        int slotOf(long id) {
            return slotById.get(id);
        }

        static <T> Snapshot<T> merge(State<T> from) {
            Snapshot<T> base = from.base;
            Delta<T> delta = from.delta;
            PointArrays arrays = new PointArrays(from.size());
            for (int slot = 0; slot < base.n; slot++) {
                if (!delta.hides(slot)) {
                    arrays.add(base.ids[slot], base.lat[slot], base.lon[slot], base.cos[slot], base.payloads[slot]);
                }
            }
            for (int i = 0; i < delta.ids.length; i++) {
                arrays.add(delta.ids[i], delta.lat[i], delta.lon[i], delta.cos[i], delta.payloads[i]);
            }
            return of(base.grid, arrays, false);
        }

        static <T> Snapshot<T> of(Grid grid, PointArrays in, boolean checkDuplicates) {
            int n = in.n;
            int[] order = sortByCell(grid, in);
            long[] ids = new long[n];
            double[] lat = new double[n];
            double[] lon = new double[n];
            double[] cos = new double[n];
            Object[] payloads = new Object[n];
            long[] keys = new long[n];
            int cells = 0;
            long previous = -1;
            for (int slot = 0; slot < n; slot++) {
                int i = order[slot];
                ids[slot] = in.ids[i];
                lat[slot] = in.lat[i];
                lon[slot] = in.lon[i];
                cos[slot] = in.cos[i];
                payloads[slot] = in.payload[i];
                long key = grid.key(grid.row(lat[slot]), grid.col(lon[slot]));
                keys[slot] = key;
                if (key != previous) {
                    cells++;
                    previous = key;
                }
            }
            long[] cellKeys = new long[cells];
            int[] cellStart = new int[cells + 1];
            LongIntMap cellIndex = new LongIntMap(cells);
            int c = -1;
            for (int slot = 0; slot < n; slot++) {
                if (c < 0 || keys[slot] != cellKeys[c]) {
                    c++;
                    cellKeys[c] = keys[slot];
                    cellStart[c] = slot;
                    cellIndex.putIfAbsent(keys[slot], c);
                }
            }
            cellStart[cells] = n;
            LongIntMap slotById = new LongIntMap(n);
            for (int slot = 0; slot < n; slot++) {
                if (!slotById.putIfAbsent(ids[slot], slot) && checkDuplicates) {
                    throw new IllegalArgumentException("duplicate id " + ids[slot]);
                }
            }
            return new Snapshot<>(grid, n, ids, lat, lon, cos, payloads, cellKeys, cellStart, cellIndex, slotById);
        }

        /** Input positions ordered by cell key: packs (key - minKey, position) into one long when it fits. */
        private static int[] sortByCell(Grid grid, PointArrays in) {
            int n = in.n;
            long[] keys = new long[n];
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                long key = grid.key(grid.row(in.lat[i]), grid.col(in.lon[i]));
                keys[i] = key;
                min = Math.min(min, key);
                max = Math.max(max, key);
            }
            int[] order = new int[n];
            if (n == 0) {
                return order;
            }
            int positionBits = 64 - Long.numberOfLeadingZeros(Math.max(1, n - 1));
            int keyBits = 64 - Long.numberOfLeadingZeros(max - min);
            if (positionBits + keyBits <= 63) {
                long[] packed = new long[n];
                for (int i = 0; i < n; i++) {
                    packed[i] = ((keys[i] - min) << positionBits) | i;
                }
                Arrays.sort(packed);
                long mask = (1L << positionBits) - 1;
                for (int i = 0; i < n; i++) {
                    order[i] = (int) (packed[i] & mask);
                }
                return order;
            }
            Integer[] boxed = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            Arrays.sort(boxed, Comparator.comparingLong((Integer i) -> keys[i]).thenComparingInt(i -> i));
            for (int i = 0; i < n; i++) {
                order[i] = boxed[i];
            }
            return order;
        }
    }

    /**
     * Immutable changes on top of a snapshot: upserted points sorted by id, and the sorted snapshot slots
     * they (or removals) hide. Every write returns a copy; unchanged arrays are shared.
     */
    static final class Delta<T> {
        private static final Delta<?> EMPTY = new Delta<>(new long[0], new double[0], new double[0],
                new double[0], new Object[0], new int[0]);

        final long[] ids;
        final double[] lat;
        final double[] lon;
        final double[] cos;
        final Object[] payloads;
        final int[] hidden;

        private Delta(long[] ids, double[] lat, double[] lon, double[] cos, Object[] payloads, int[] hidden) {
            this.ids = ids;
            this.lat = lat;
            this.lon = lon;
            this.cos = cos;
            this.payloads = payloads;
            this.hidden = hidden;
        }

        @SuppressWarnings("unchecked")
        static <T> Delta<T> empty() {
            return (Delta<T>) EMPTY;
        }

        @SuppressWarnings("unchecked")
        T payload(int i) {
            return (T) payloads[i];
        }

        int changeCount() {
            return ids.length + hidden.length;
        }

        boolean hides(int slot) {
            return hidden.length > 0 && Arrays.binarySearch(hidden, slot) >= 0;
        }

        Delta<T> withUpsert(Entry<T> e, int baseSlot) {
            int[] newHidden = withHidden(baseSlot);
            double cosLat = Distances.cosLat(e.lat());
            int pos = Arrays.binarySearch(ids, e.id());
            if (pos >= 0) {
                double[] la = lat.clone();
                double[] lo = lon.clone();
                double[] co = cos.clone();
                Object[] pa = payloads.clone();
                la[pos] = e.lat();
                lo[pos] = e.lon();
                co[pos] = cosLat;
                pa[pos] = e.payload();
                return new Delta<>(ids, la, lo, co, pa, newHidden);
            }
            int at = -pos - 1;
            return new Delta<>(insert(ids, at, e.id()), insert(lat, at, e.lat()), insert(lon, at, e.lon()),
                    insert(cos, at, cosLat), insert(payloads, at, e.payload()), newHidden);
        }

        /** Null if nothing changes. */
        Delta<T> withRemoval(long id, int baseSlot) {
            int pos = Arrays.binarySearch(ids, id);
            int[] newHidden = withHidden(baseSlot);
            if (pos < 0 && newHidden == hidden) {
                return null;
            }
            if (pos < 0) {
                return new Delta<>(ids, lat, lon, cos, payloads, newHidden);
            }
            return new Delta<>(delete(ids, pos), delete(lat, pos), delete(lon, pos), delete(cos, pos),
                    delete(payloads, pos), newHidden);
        }

        private int[] withHidden(int baseSlot) {
            if (baseSlot < 0) {
                return hidden;
            }
            int pos = Arrays.binarySearch(hidden, baseSlot);
            if (pos >= 0) {
                return hidden;
            }
            int at = -pos - 1;
            int[] out = new int[hidden.length + 1];
            System.arraycopy(hidden, 0, out, 0, at);
            out[at] = baseSlot;
            System.arraycopy(hidden, at, out, at + 1, hidden.length - at);
            return out;
        }

        private static long[] insert(long[] a, int at, long v) {
            long[] out = new long[a.length + 1];
            System.arraycopy(a, 0, out, 0, at);
            out[at] = v;
            System.arraycopy(a, at, out, at + 1, a.length - at);
            return out;
        }

        private static double[] insert(double[] a, int at, double v) {
            double[] out = new double[a.length + 1];
            System.arraycopy(a, 0, out, 0, at);
            out[at] = v;
            System.arraycopy(a, at, out, at + 1, a.length - at);
            return out;
        }

        private static Object[] insert(Object[] a, int at, Object v) {
            Object[] out = new Object[a.length + 1];
            System.arraycopy(a, 0, out, 0, at);
            out[at] = v;
            System.arraycopy(a, at, out, at + 1, a.length - at);
            return out;
        }

        private static long[] delete(long[] a, int at) {
            long[] out = new long[a.length - 1];
            System.arraycopy(a, 0, out, 0, at);
            System.arraycopy(a, at + 1, out, at, a.length - at - 1);
            return out;
        }

        private static double[] delete(double[] a, int at) {
            double[] out = new double[a.length - 1];
            System.arraycopy(a, 0, out, 0, at);
            System.arraycopy(a, at + 1, out, at, a.length - at - 1);
            return out;
        }

        private static Object[] delete(Object[] a, int at) {
            Object[] out = new Object[a.length - 1];
            System.arraycopy(a, 0, out, 0, at);
            System.arraycopy(a, at + 1, out, at, a.length - at - 1);
            return out;
        }
    }

    /** A write made while a compaction ran; {@code upsert == null} is a removal. */
    private record Write<T>(long id, Entry<T> upsert) {
    }

    /** What a reader sees: one snapshot and the changes on top of it. */
    record State<T>(Snapshot<T> base, Delta<T> delta) {
        int size() {
            return base.n - delta.hidden.length + delta.ids.length;
        }

        State<T> upsert(Entry<T> e) {
            return new State<>(base, delta.withUpsert(e, base.slotOf(e.id())));
        }

        /** Returns this state if the id is absent. */
        State<T> remove(long id) {
            int slot = base.slotOf(id);
            Delta<T> next = delta.withRemoval(id, slot >= 0 && !delta.hides(slot) ? slot : -1);
            return next == null ? this : new State<>(base, next);
        }
    }

    /** One query: best-so-far hits sorted by (distance, id) and the pruning bound they imply. */
    private static final class Search<T> {
        private static final double RELATIVE_SLACK = 1e-9;

        final double qLat;
        final double qLon;
        final double qCos;
        final double radius;
        final int k;
        final Predicate<? super T> filter;

        int count;
        double[] dist;
        long[] ids;
        int[] where; // >= 0: snapshot slot; < 0: -(delta index) - 1
        Snapshot<T> base;
        Delta<T> delta;

        double bound;     // metres; a farther point cannot be a hit
        double hBound;    // haversine term >= that of any point at distance <= bound
        double latWindow; // degrees; |Δlat| > latWindow means distance > bound
        /** Degrees; |Δlon| > lonWindow means distance > radius. Infinite while the box may wrap. */
        double lonWindow = Double.POSITIVE_INFINITY;

        Search(double lat, double lon, double radius, int k, Predicate<? super T> filter) {
            this.qLat = lat;
            this.qLon = lon;
            this.qCos = Distances.cosLat(lat);
            this.radius = radius;
            this.k = k;
            this.filter = filter;
            int capacity = Math.min(k, 16);
            dist = new double[capacity];
            ids = new long[capacity];
            where = new int[capacity];
            setBound(radius);
        }

        private void setBound(double meters) {
            bound = meters;
            double angle = meters / Distances.EARTH_RADIUS_METERS;
            hBound = Distances.havOfAngle(angle * (1 + RELATIVE_SLACK)) * (1 + RELATIVE_SLACK) + 1e-18;
            latWindow = Math.toDegrees(angle) * (1 + RELATIVE_SLACK) + 1e-9;
        }

        void run(State<T> s, Grid grid) {
            base = s.base();
            delta = s.delta();
            for (int i = 0; i < delta.ids.length; i++) {
                offer(delta.ids[i], delta.lat[i], delta.lon[i], delta.cos[i], delta.payloads[i], -i - 1);
            }
            if (base.n == 0) {
                return;
            }
            double latHalf = Math.toDegrees(radius / Distances.EARTH_RADIUS_METERS) * (1 + RELATIVE_SLACK) + 1e-9;
            double lonHalf = lonHalfWidthDegrees(qLat, radius);
            // Ring search needs |Δlon| < 180° for every visited cell, so that hav(Δlon) grows with the gap.
            double lonMargin = 2 * grid.cellLon;
            if (qLat - latHalf <= -90 || qLat + latHalf >= 90
                    || qLon - lonHalf - lonMargin <= -180 || qLon + lonHalf + lonMargin >= 180) {
                scanAllCells(grid);
                return;
            }
            // The box neither wraps nor reaches a pole, so a point farther in longitude than its half-width is
            // outside the radius. Checking that before the haversine spares its two sines for most points when
            // all cells are scanned (a small radius over a sparse index: the nearby activities of a city).
            lonWindow = lonHalf;
            int rLat = (int) Math.ceil(latHalf / grid.cellLat) + 1;
            int rLon = (int) Math.ceil(lonHalf / grid.cellLon) + 1;
            long cellsInBox = (2L * rLat + 1) * (2L * rLon + 1);
            if (cellsInBox > 4L * base.cellKeys.length + 64) {
                scanAllCells(grid);
                return;
            }
            scanRings(grid, rLat, rLon);
        }

        /** Longitude half-width in degrees of a box that surely holds the circle. */
        static double lonHalfWidthDegrees(double lat, double radiusMeters) {
            double delta = radiusMeters / Distances.EARTH_RADIUS_METERS * (1 + RELATIVE_SLACK) + 1e-12;
            if (delta >= Math.PI / 2) {
                return 180;
            }
            double extremeLat = Math.abs(lat) + Math.toDegrees(delta);
            if (extremeLat >= 89.999) {
                return 180;
            }
            double byExtremeCos = delta / Math.cos(Math.toRadians(extremeLat));
            double tangent = Math.asin(Math.min(1.0, Math.sin(delta) / Math.cos(Math.toRadians(lat))));
            return Math.min(180, Math.toDegrees(Math.max(byExtremeCos, tangent)) * (1 + RELATIVE_SLACK));
        }

        private void scanRings(Grid grid, int rLat, int rLon) {
            int row0 = grid.row(qLat);
            int col0 = grid.col(qLon);
            int maxRing = Math.max(rLat, rLon);
            for (int r = 0; r <= maxRing; r++) {
                if (r > 0 && ringLowerBound(grid, row0, col0, r) > hBound) {
                    return;
                }
                if (r == 0) {
                    visitCell(grid, row0, col0, true);
                    continue;
                }
                int colFrom = Math.max(0, Math.max(col0 - r, col0 - rLon));
                int colTo = Math.min(grid.cols - 1, Math.min(col0 + r, col0 + rLon));
                if (r <= rLat) {
                    for (int dr = -r; dr <= r; dr += 2 * r) {
                        int row = row0 + dr;
                        if (row >= 0 && row < grid.rows) {
                            for (int col = colFrom; col <= colTo; col++) {
                                visitCell(grid, row, col, true);
                            }
                        }
                    }
                }
                if (r <= rLon) {
                    int rowFrom = Math.max(0, Math.max(row0 - r + 1, row0 - rLat));
                    int rowTo = Math.min(grid.rows - 1, Math.min(row0 + r - 1, row0 + rLat));
                    for (int dc = -r; dc <= r; dc += 2 * r) {
                        int col = col0 + dc;
                        if (col >= 0 && col < grid.cols) {
                            for (int row = rowFrom; row <= rowTo; row++) {
                                visitCell(grid, row, col, true);
                            }
                        }
                    }
                }
            }
        }

        /** Lower bound of the haversine term for any point in a cell of ring r around (row0, col0). */
        private double ringLowerBound(Grid grid, int row0, int col0, int r) {
            double gapLat = Math.min(grid.latLo(row0 + r) - qLat, qLat - grid.latLo(row0 - r + 1));
            double gapLon = Math.min(grid.lonLo(col0 + r) - qLon, qLon - grid.lonLo(col0 - r + 1));
            double maxAbsLat = Math.min(90, Math.max(Math.abs(grid.latLo(row0 - r)), Math.abs(grid.latLo(row0 + r + 1))));
            double hLat = Distances.havOfAngle(Math.toRadians(gapLat - 1e-9));
            double hLon = qCos * Math.cos(Math.toRadians(maxAbsLat)) * Distances.havOfAngle(Math.toRadians(gapLon - 1e-9));
            return conservative(Math.min(hLat, hLon));
        }

        private static double conservative(double h) {
            return Math.max(0, h * (1 - RELATIVE_SLACK) - 1e-18);
        }

        private void scanAllCells(Grid grid) {
            for (int c = 0; c < base.cellKeys.length; c++) {
                long key = base.cellKeys[c];
                visitCellIndex(grid, c, (int) (key / grid.cols), (int) (key % grid.cols), false);
            }
        }

        private void visitCell(Grid grid, int row, int col, boolean useLongitude) {
            int c = base.cellIndex.get(grid.key(row, col));
            if (c >= 0) {
                visitCellIndex(grid, c, row, col, useLongitude);
            }
        }

        private void visitCellIndex(Grid grid, int c, int row, int col, boolean useLongitude) {
            double latLo = grid.latLo(row);
            double latHi = latLo + grid.cellLat;
            double gapLat = Math.max(0, Math.max(latLo - qLat, qLat - latHi) - 1e-9);
            double h = gapLat > 0 ? Distances.havOfAngle(Math.toRadians(gapLat)) : 0;
            if (useLongitude) {
                double lonLo = grid.lonLo(col);
                double gapLon = Math.max(0, Math.max(lonLo - qLon, qLon - (lonLo + grid.cellLon)) - 1e-9);
                if (gapLon > 0) {
                    double maxAbsLat = Math.min(90, Math.max(Math.abs(latLo), Math.abs(latHi)));
                    h += qCos * Math.cos(Math.toRadians(maxAbsLat)) * Distances.havOfAngle(Math.toRadians(gapLon));
                }
            }
            if (conservative(h) > hBound) {
                return;
            }
            Snapshot<T> b = base;
            for (int slot = b.cellStart[c], end = b.cellStart[c + 1]; slot < end; slot++) {
                offer(b.ids[slot], b.lat[slot], b.lon[slot], b.cos[slot], b.payloads[slot], slot);
            }
        }

        @SuppressWarnings("unchecked")
        private void offer(long id, double lat, double lon, double cos, Object payload, int at) {
            if (Math.abs(lat - qLat) > latWindow || Math.abs(lon - qLon) > lonWindow) {
                return;
            }
            double h = Distances.hav(qLat, qLon, qCos, lat, lon, cos);
            if (h > hBound) {
                return;
            }
            double d = Distances.metersFromHav(h);
            if (d > bound) {
                return;
            }
            if (at >= 0 && delta.hides(at)) {
                return; // superseded by the delta
            }
            boolean full = count == k;
            if (full && d == dist[k - 1] && id > ids[k - 1]) {
                return;
            }
            if (!filter.test((T) payload)) {
                return;
            }
            insert(d, id, at);
            if (count == k) {
                setBound(dist[k - 1]);
            }
        }

        private void insert(double d, long id, int at) {
            if (count == dist.length && count < k) {
                int capacity = (int) Math.min(k, Math.max(16L, 2L * count));
                dist = Arrays.copyOf(dist, capacity);
                ids = Arrays.copyOf(ids, capacity);
                where = Arrays.copyOf(where, capacity);
            }
            int pos = count < k ? count : k - 1; // when full, the last (worst) is dropped
            while (pos > 0 && (dist[pos - 1] > d || (dist[pos - 1] == d && ids[pos - 1] > id))) {
                dist[pos] = dist[pos - 1];
                ids[pos] = ids[pos - 1];
                where[pos] = where[pos - 1];
                pos--;
            }
            dist[pos] = d;
            ids[pos] = id;
            where[pos] = at;
            if (count < k) {
                count++;
            }
        }

        List<Hit<T>> hits() {
            List<Hit<T>> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int at = where[i];
                if (at >= 0) {
                    out.add(new Hit<>(ids[i], base.lat[at], base.lon[at], dist[i], base.payload(at)));
                } else {
                    int j = -at - 1;
                    out.add(new Hit<>(ids[i], delta.lat[j], delta.lon[j], dist[i], delta.payload(j)));
                }
            }
            return out;
        }
    }
}
