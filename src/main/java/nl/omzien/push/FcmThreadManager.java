package nl.omzien.push;

import com.google.firebase.FirebaseApp;
import com.google.firebase.ThreadManager;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads firebase-admin sends on. {@code FirebaseMessaging.sendEach} submits every message of a
 * batch as its own task to the app's executor and blocks the caller until all are answered, so the pool
 * size bounds how many FCM requests are in flight: throughput is about {@code threads / round-trip time}.
 * The SDK default is a fixed pool of 100 non-daemon threads shared by all apps; this one is sized by us,
 * uses daemon threads named {@code fcm-send-N}, and lets idle threads die after a minute.
 */
public final class FcmThreadManager extends ThreadManager {

    /** Threads used by {@link FcmPushSender#fromEnvironment()}. */
    public static final int DEFAULT_THREADS = 100;

    private final int threads;
    private final AtomicInteger counter = new AtomicInteger();

    /** A manager whose executor has {@code threads} threads (one executor per FirebaseApp). */
    public FcmThreadManager(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        this.threads = threads;
    }

    @Override
    protected ExecutorService getExecutor(FirebaseApp app) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), getThreadFactory());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    protected void releaseExecutor(FirebaseApp app, ExecutorService executor) {
        executor.shutdownNow();
    }

    @Override
    protected ThreadFactory getThreadFactory() {
        return r -> {
            Thread t = new Thread(r, "fcm-send-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
