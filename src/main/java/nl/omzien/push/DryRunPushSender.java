package nl.omzien.push;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PushSender} for the demo and for machines without Firebase credentials: it sends nothing,
 * keeps the last {@link #CAPACITY} rendered messages in memory and logs one line per message with kind
 * and messageId only (never token or text). Every message counts as {@code SENT} with the name
 * {@code dry-run/<messageId>}. Thread-safe.
 */
public final class DryRunPushSender implements PushSender {

    /** How many recent messages are kept by default. */
    public static final int CAPACITY = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(DryRunPushSender.class);

    private final int capacity;
    private final ArrayDeque<PushMessage> recent;

    /** A dry-run sender keeping the last {@value #CAPACITY} messages. */
    public DryRunPushSender() {
        this(CAPACITY);
    }

    /** A dry-run sender keeping the last {@code capacity} messages. */
    public DryRunPushSender(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
        this.recent = new ArrayDeque<>(capacity);
    }

    @Override
    public List<SendResult> send(List<PushMessage> batch) {
        List<SendResult> results = new ArrayList<>(batch.size());
        for (PushMessage m : batch) {
            remember(m);
            LOG.info("push dry-run kind={} messageId={} urgent={}", m.kind().wireName(), m.messageId(), m.urgent());
            results.add(SendResult.sent(m.messageId(), "dry-run/" + m.messageId()));
        }
        return results;
    }

    /** The messages "sent" most recently, oldest first, at most the capacity. A copy. */
    public synchronized List<PushMessage> recent() {
        return List.copyOf(recent);
    }

    private synchronized void remember(PushMessage m) {
        if (recent.size() == capacity) {
            recent.removeFirst();
        }
        recent.addLast(m);
    }
}
