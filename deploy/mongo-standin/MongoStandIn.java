// A MongoDB wire-protocol stand-in for development and tests, where no real MongoDB can be installed.
// Run with Java's single-file source launch (no build step):
//   java -cp <classpath from pom.xml> MongoStandIn.java --port N [--file path.mv]
// Prints exactly one line "READY <port>" on stdout once it accepts connections.

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

public class MongoStandIn {

    // mongo-java-server reports MongoDB 5.0 (wire version 8) by default, but the Node driver 7.x
    // refuses servers below wire version 9 (MongoDB 4.4). Report 6.0 / wire 17: high enough for
    // the driver, low enough that it does not opt into newer protocol features (client bulkWrite
    // needs 25, queryable encryption 21) that the stand-in cannot answer anyway.
    static final MongoVersion REPORTED_VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(6, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 17;
        }
    };

    public static void main(String[] args) throws Exception {
        // The library logs every connection at INFO; keep stderr for warnings and errors.
        // It also warns on every createIndexes of a non-unique index, which it accepts but ignores
        // (queries scan); that is a known property of the stand-in, not news on every start.
        // Set before any library class loads its logger; a -D on the command line still wins.
        setDefaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setDefaultProperty("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.backend.AbstractMongoDatabase", "error");

        int port = -1;
        String file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--file" -> file = args[++i];
                default -> fail("unknown argument: " + args[i]
                    + "\nusage: MongoStandIn.java --port N [--file path.mv]");
            }
        }
        if (port < 0 || port > 65535) {
            fail("--port N is required (0 picks a free port)");
        }

        MongoBackend backend;
        try {
            backend = file == null ? new MemoryBackend() : openFileBackend(file);
        } catch (Exception e) {
            // H2 allows one process per file; say so plainly instead of a stack trace.
            String hint = String.valueOf(e.getMessage()).contains("locked")
                ? "\n(another stand-in, e.g. a running `npm start`, is using this file)" : "";
            fail("cannot open " + file + ": " + e + hint);
            return;
        }
        backend.version(REPORTED_VERSION);

        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);

        // SIGTERM/SIGINT run shutdown hooks: shutdown() closes the backend, which flushes H2 to disk.
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown(); // closes client connections too, without a warning per client
            stopped.countDown();
        }, "mongo-standin-shutdown"));

        System.out.println("READY " + server.getLocalAddress().getPort());
        System.out.flush();
        stopped.await();
    }

    static MongoBackend openFileBackend(String file) throws Exception {
        Path parent = Path.of(file).toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new H2Backend(file);
    }

    static void setDefaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    static void fail(String message) {
        System.err.println("MongoStandIn: " + message);
        System.exit(2);
    }
}
