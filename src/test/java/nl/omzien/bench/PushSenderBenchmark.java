package nl.omzien.bench;

import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.testing.http.MockHttpTransport;
import com.google.api.client.testing.http.MockLowLevelHttpRequest;
import com.google.api.client.testing.http.MockLowLevelHttpResponse;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import nl.omzien.push.FcmPushSender;
import nl.omzien.push.FcmThreadManager;
import nl.omzien.push.PushKind;
import nl.omzien.push.PushMessage;
import nl.omzien.push.PushParams;
import nl.omzien.push.PushRef;
import nl.omzien.push.PushTemplates;
import nl.omzien.push.SendResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Messages per second through {@link FcmPushSender} in batches of 500, against an in-memory FCM that
 * answers 200 {@code {"name":"projects/omzien-test/messages/123"}} after {@code latencyMs} (0 = at
 * once: measures the CPU cost of firebase-admin plus ours; above 0 simulates the network round trip,
 * which makes the SDK's pool size the limit). The request body is serialized as a real transport would.
 *
 * <p>Run (after {@code mvn -o -q test-compile}):
 * <pre>
 * java -cp $(mvn -o -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test):target/classes:target/test-classes \
 *   org.openjdk.jmh.Main PushSender -f 1 -wi 1 -i 3 -w 2s -r 3s
 * </pre>
 * or without JMH: {@code java -cp ... nl.omzien.bench.PushSenderBenchmark [seconds] [pool|sdk] [latencyMs]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PushSenderBenchmark {

    static final int BATCH = 500;

    /** "sdk" = firebase-admin's default executor (fixed 100 threads); a number = {@link FcmThreadManager} of that size. */
    @Param({"sdk", "16", "100"})
    public String pool;

    /** Simulated FCM round trip in milliseconds. */
    @Param({"0"})
    public int latencyMs;

    private FirebaseApp app;
    private FcmPushSender sender;
    private List<PushMessage> batch;

    @Setup(Level.Trial)
    public void setUp() {
        app = app(pool, latencyMs);
        sender = new FcmPushSender(app);
        batch = batch(PushTemplates.load(), BATCH);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        app.delete();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<SendResult> sendBatchOf500() {
        List<SendResult> results = sender.send(batch);
        if (results.size() != BATCH || results.get(BATCH - 1).outcome() != SendResult.Outcome.SENT) {
            throw new IllegalStateException("unexpected results: " + results.get(BATCH - 1));
        }
        return results;
    }

    static FirebaseApp app(String pool, int latencyMs) {
        FirebaseOptions.Builder options = FirebaseOptions.builder()
                .setProjectId("omzien-test")
                .setCredentials(GoogleCredentials.create(
                        new AccessToken("fake", Date.from(Instant.parse("2099-01-01T00:00:00Z")))))
                .setHttpTransport(new InstantFcm(latencyMs));
        if (!"sdk".equals(pool)) {
            options.setThreadManager(new FcmThreadManager(Integer.parseInt(pool)));
        }
        return FirebaseApp.initializeApp(options.build(), "bench-" + UUID.randomUUID());
    }

    static List<PushMessage> batch(PushTemplates templates, int size) {
        PushParams params = PushParams.NONE.withHelpKind("groceries").withWhen(Instant.parse("2026-05-12T08:30:00Z"))
                .withDistanceMeters(1300).withCount(2);
        List<PushMessage> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Map<PushRef, UUID> ids = new EnumMap<>(PushRef.class);
            ids.put(PushRef.OFFER, UUID.randomUUID());
            ids.put(PushRef.REQUEST, UUID.randomUUID());
            out.add(templates.message(UUID.randomUUID(), PushKind.OFFER_MADE, "token-" + i + "-" + "x".repeat(140),
                    PushTemplates.NL, i % 5 == 0, ids, params));
        }
        return out;
    }

    /** An FCM that accepts every message; writes the request body like a real transport would. */
    static final class InstantFcm extends MockHttpTransport {
        private final long latencyNanos;

        InstantFcm(int latencyMs) {
            this.latencyNanos = TimeUnit.MILLISECONDS.toNanos(latencyMs);
        }

        @Override
        public LowLevelHttpRequest buildRequest(String method, String url) {
            return new MockLowLevelHttpRequest(url) {
                @Override
                public LowLevelHttpResponse execute() throws IOException {
                    getStreamingContent().writeTo(OutputStream.nullOutputStream());
                    if (latencyNanos > 0) {
                        LockSupport.parkNanos(latencyNanos);
                    }
                    return new MockLowLevelHttpResponse()
                            .setStatusCode(200)
                            .setContentType("application/json; charset=UTF-8")
                            .setContent("{\"name\":\"projects/omzien-test/messages/123\"}");
                }
            };
        }
    }

    /** Plain fallback without JMH: {@code [seconds] [pool] [latencyMs]}; prints messages/s per second. */
    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String pool = args.length > 1 ? args[1] : "sdk";
        int latency = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        FirebaseApp app = app(pool, latency);
        try {
            FcmPushSender sender = new FcmPushSender(app);
            List<PushMessage> batch = batch(PushTemplates.load(), BATCH);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                long sent = 0;
                while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1)) {
                    sent += sender.send(batch).size();
                }
                double perSecond = sent / ((System.nanoTime() - t0) / 1e9);
                System.out.printf("pool=%s latencyMs=%d: %.0f messages/s%n", pool, latency, perSecond);
            }
        } finally {
            app.delete();
        }
        System.exit(0);
    }
}
