package io.peerlink.it.bench;

import java.util.function.BiConsumer;

/** One client connection sending the status request ({@link StatusPayload#request()}). */
public interface StatusClient extends AutoCloseable {

  /**
   * Sends one request and waits for its answer: the round-trip path.
   *
   * @return the answer's bytes, already checked with {@link StatusPayload#check}
   */
  byte[] call() throws Exception;

  /**
   * Sends one request without waiting; requests are pipelined on this connection.
   *
   * @param done receives the checked answer, or the failure; may run on an I/O thread
   */
  void callAsync(BiConsumer<byte[], Throwable> done);

  /** Closes the connection. */
  @Override
  void close();
}
