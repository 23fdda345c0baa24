// Starts a throw-away Neo4j Community server for orgnet's tests and benchmarks.
//
//   java -cp "$(cat classpath.txt)" Launcher.java HOME PORT
//
// Bolt on 127.0.0.1:PORT only, HTTP off, authentication on with the password in the environment
// variable NEO4J_TEST_PASSWORD (user neo4j), data under HOME. Prints "orgnet-neo4j ready bolt://..."
// once Bolt accepts connections, and shuts down cleanly when its standard input closes (the parent
// process ended, even by kill -9) or on SIGTERM.
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

public class Launcher {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Launcher HOME PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = System.getenv("NEO4J_TEST_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("set NEO4J_TEST_PASSWORD (8 characters or more)");
            System.exit(2);
        }
        long pageCache = ByteUnit.parse(System.getenv().getOrDefault("NEO4J_TEST_PAGECACHE", "512m"));

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ZERO)
                // a test server must not phone home (Neo4j sends anonymous usage data by default)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Embedded defaults let LOAD CSV read any local file (a packaged server confines it to
                // its import directory); the tests need no file access at all.
                .setConfig(GraphDatabaseSettings.allow_file_urls, false);
        // Transaction memory as Neo4j 5 limits it by default: all transactions together at most 70% of
        // the heap (dbms.memory.transaction.total.max), set here explicitly so that
        // NEO4J_TEST_TX_TOTAL_MAX / NEO4J_TEST_TX_MAX (one transaction) can change it for measuring.
        String txTotal = System.getenv("NEO4J_TEST_TX_TOTAL_MAX");
        long total = txTotal != null ? ByteUnit.parse(txTotal) : (long) (Runtime.getRuntime().maxMemory() * 0.7);
        builder.setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, total);
        String txMax = System.getenv("NEO4J_TEST_TX_MAX");
        if (txMax != null) {
            builder.setConfig(GraphDatabaseSettings.memory_transaction_max_size, ByteUnit.parse(txMax));
        }
        DatabaseManagementService dbms = builder.build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown));

        // A fresh home has user neo4j with password "neo4j" that must be changed before use.
        dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));

        System.out.println("orgnet-neo4j ready bolt://127.0.0.1:" + port);
        System.out.flush();

        InputStream in = System.in;
        while (in.read() != -1) {
            // ignore input; end of input means the parent went away
        }
        dbms.shutdown();
        System.exit(0);
    }
}
