package io.peerlink.discovery.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what a class logs through System.Logger (backed by java.util.logging in tests). */
public final class LogCapture implements AutoCloseable {

  private final Logger logger; // a strong reference keeps the JUL logger and its handler alive
  private final List<LogRecord> records = new ArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      synchronized (records) {
        records.add(record);
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  public LogCapture(Class<?> source) {
    logger = Logger.getLogger(source.getName());
    logger.addHandler(handler);
  }

  public List<String> messages() {
    synchronized (records) {
      return records.stream().map(LogRecord::getMessage).toList();
    }
  }

  public List<String> messages(Level level) {
    synchronized (records) {
      return records.stream().filter(r -> r.getLevel().equals(level)).map(LogRecord::getMessage).toList();
    }
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
