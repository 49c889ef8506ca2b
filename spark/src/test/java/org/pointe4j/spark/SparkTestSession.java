package org.pointe4j.spark;

import org.apache.spark.sql.SparkSession;

/** One Spark {@code local[2]} session for the module's tests: inside the test JVM, loopback only, no UI. */
final class SparkTestSession {
    private static SparkSession session;

    private SparkTestSession() {
    }

    static synchronized SparkSession get() {
        // a job class's run stops the session it used, which may be this one
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSession.builder().appName("pointe4j-spark tests").master("local[2]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    .getOrCreate();
            SparkSession started = session;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
        }
        return session;
    }
}
