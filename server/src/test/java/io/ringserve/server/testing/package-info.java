/**
 * Test fixtures shared by the server's, the client's and the load generator's tests: real servers
 * on 127.0.0.1 ({@link io.ringserve.server.testing.TestServers}) and the example models, generated
 * once per JVM ({@link io.ringserve.server.testing.ExampleRepository}).
 *
 * <p>Published as the server's test-jar, holding this package only; other modules depend on it with
 * {@code <type>test-jar</type>} and {@code <scope>test</scope>}.
 */
package io.ringserve.server.testing;
