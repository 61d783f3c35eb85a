package nl.omzien.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DryRunPushSender")
class DryRunPushSenderTest {

    private final PushTemplates templates = PushTemplates.load();

    @Test
    @DisplayName("every message counts as sent under the name dry-run/<messageId>, in order")
    void sentWithDryRunName() {
        List<PushMessage> batch = List.of(
                Samples.message(templates, PushKind.OFFER_MADE, "a"),
                Samples.message(templates, PushKind.ACTIVITY_CANCELLED, "b"));
        List<SendResult> results = new DryRunPushSender().send(batch);
        for (int i = 0; i < batch.size(); i++) {
            assertEquals(batch.get(i).messageId(), results.get(i).messageId());
            assertEquals(SendResult.Outcome.SENT, results.get(i).outcome());
            assertEquals("dry-run/" + batch.get(i).messageId(), results.get(i).fcmName());
        }
    }

    @Test
    @DisplayName("recent() keeps only the last N messages, oldest first")
    void ringKeepsLastN() {
        DryRunPushSender sender = new DryRunPushSender(3);
        List<PushMessage> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(Samples.message(templates, PushKind.ACTIVITY_REMINDER, "t" + i));
        }
        sender.send(all.subList(0, 2));
        sender.send(all.subList(2, 5));
        assertEquals(all.subList(2, 5), sender.recent());
        assertThrows(IllegalArgumentException.class, () -> new DryRunPushSender(0));
    }

    @Test
    @DisplayName("the default ring holds 1000 messages, also when filled from several threads at once")
    void threadSafe() throws InterruptedException {
        DryRunPushSender sender = new DryRunPushSender();
        int threads = 4;
        int perThread = 400;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    sender.send(List.of(Samples.message(templates, PushKind.FEEDBACK_REQUESTED, "tok")));
                }
            });
        }
        start.countDown();
        pool.shutdown();
        assertEquals(true, pool.awaitTermination(30, TimeUnit.SECONDS));
        List<PushMessage> recent = sender.recent();
        assertEquals(DryRunPushSender.CAPACITY, recent.size());
        assertEquals(DryRunPushSender.CAPACITY, recent.stream().map(PushMessage::messageId).distinct().count());
    }
}
