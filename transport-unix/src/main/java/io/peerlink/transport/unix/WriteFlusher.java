package io.peerlink.transport.unix;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.newsclub.net.unix.AFUNIXSelectorProvider;

/**
 * Writes, when the socket has room, what a connection queued while its reader thread was blocked
 * in a read; one thread for the whole transport, started when first needed.
 *
 * <p>A connection's reader waits for bytes in a blocking read (cheaper per message than waiting in
 * a selector first), and nothing wakes a blocking read but bytes or the end. So when another
 * thread's send meets a full socket buffer during that read, the rest is handed here; otherwise
 * it could wait for the peer's next message, and a peer waiting for the rest would never send one.
 */
final class WriteFlusher {

  private static final System.Logger LOG = System.getLogger(WriteFlusher.class.getName());

  private final UnixTransport transport;
  private final ConcurrentLinkedQueue<UnixConnection> added = new ConcurrentLinkedQueue<>();
  private final Object lock = new Object();
  private Selector selector; // guarded by lock until started; then the flusher thread's
  private boolean closed; // guarded by lock

  WriteFlusher(UnixTransport transport) {
    this.transport = transport;
  }

  /**
   * Watches the connection's socket for room, and calls {@link UnixConnection#flushQueued} until
   * that reports the queue empty.
   */
  void flushWhenWritable(UnixConnection connection) {
    Selector s;
    synchronized (lock) {
      if (closed) {
        return; // the transport is closing: its connections close, failing what is queued
      }
      if (selector == null) {
        try {
          selector = AFUNIXSelectorProvider.provider().openSelector();
        } catch (IOException e) {
          // Without a selector nothing can wait for room: the connection cannot keep its promise.
          connection.closeWith(new IOException("no selector to flush queued frames: " + e.getMessage(), e));
          return;
        }
        Selector started = selector;
        transport.startThread("peerlink-unix-flusher", () -> run(started));
      }
      s = selector;
    }
    added.add(connection);
    s.wakeup();
  }

  /** Ends the thread; the transport closes the connections, which fails what they still queue. */
  void close() {
    Selector s;
    synchronized (lock) {
      closed = true;
      s = selector;
    }
    if (s != null) {
      s.wakeup();
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void run(Selector s) {
    try {
      while (!isClosed()) {
        registerAdded(s);
        s.select();
        flushReady(s);
      }
    } catch (IOException | ClosedSelectorException e) {
      LOG.log(Level.WARNING, "the unix transport's write flusher failed: " + e, e);
    } finally {
      for (SelectionKey key : s.keys()) {
        ((UnixConnection) key.attachment()).closeWith(new IOException("the write flusher stopped"));
      }
      try {
        s.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, () -> "closing the write flusher's selector failed: " + e);
      }
    }
  }

  /** Registers the connections handed over since the last look. */
  private void registerAdded(Selector s) throws IOException {
    UnixConnection c;
    while ((c = added.poll()) != null) {
      while (!register(s, c)) {
        // Its registration here was cancelled when its queue ran empty. junixsocket 2.10.1 forgets
        // a cancelled key at once, but the Selector contract (and the JDK's own channels) keep it
        // until the next selection and refuse a new one meanwhile: select, then register again.
        // What that selection finds ready is flushed now; the next select may not report it again.
        s.selectNow();
        flushReady(s);
      }
    }
  }

  private static void flushReady(Selector s) {
    Iterator<SelectionKey> ready = s.selectedKeys().iterator();
    while (ready.hasNext()) {
      SelectionKey key = ready.next();
      ready.remove();
      ((UnixConnection) key.attachment()).flushQueued(key);
    }
  }

  /** Registers for room to write; false when a cancelled registration must be dropped first. */
  private static boolean register(Selector s, UnixConnection c) {
    try {
      c.channel().register(s, SelectionKey.OP_WRITE, c);
    } catch (CancelledKeyException e) {
      return false;
    } catch (ClosedChannelException e) {
      // Closed meanwhile: its reader thread fails what is queued.
    } catch (IllegalBlockingModeException e) {
      // A broken promise of UnixConnection's (the socket stays non-blocking while this thread owns
      // the queue): fail loudly rather than let frames wait forever.
      c.closeWith(new IllegalStateException("handed a blocking socket to flush", e));
    }
    return true;
  }
}
