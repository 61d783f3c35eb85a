package nl.omzien.push;

import io.vertx.sqlclient.Pool;
import java.util.List;
import nl.omzien.http.Endpoint;
import nl.omzien.runtime.BlockingExecutor;

/**
 * The push capability as wired at start: the outbox other capabilities write to, the worker that drains
 * it, and the HTTP endpoints for devices and operators.
 */
public final class Push {
    private final PushOutbox outbox;
    private final PushWorker worker;
    private final PushApi api;
    private final PushSender sender;

    public Push(Pool pool, BlockingExecutor blocking, PushSender sender, PushOptions options) {
        PushTemplates templates = PushTemplates.load();
        this.sender = sender;
        this.outbox = new PushOutbox(pool, templates, options.config(), options.clock());
        this.worker = new PushWorker(pool, blocking, sender, templates, options.config(), options.clock());
        outbox.handOffTo(worker); // taken once the worker is deployed, if the config's handoff is on
        this.api = new PushApi(new DeviceStore(pool), outbox, sender);
    }

    /** Where other capabilities enqueue pushes, inside their own transaction. */
    public PushOutbox outbox() {
        return outbox;
    }

    /** The worker verticle (deploy it once per instance). */
    public PushWorker worker() {
        return worker;
    }

    public PushSender sender() {
        return sender;
    }

    public List<Endpoint> endpoints() {
        return api.endpoints();
    }
}
