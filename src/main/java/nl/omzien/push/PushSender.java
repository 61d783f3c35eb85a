package nl.omzien.push;

import java.util.List;

/**
 * Sends rendered pushes. Blocking: call it from a worker thread, never from an event loop.
 *
 * <p>A sender does not retry: it reports per message what happened and the outbox decides when to try
 * again (see {@link Backoff}). Delivery is therefore at least once; the app drops duplicates by
 * {@code messageId}.
 */
public interface PushSender {

    /**
     * Sends a batch of messages.
     *
     * @param batch messages to send, any size (senders split into provider batches themselves)
     * @return one result per message, in the order of {@code batch}
     */
    List<SendResult> send(List<PushMessage> batch);
}
