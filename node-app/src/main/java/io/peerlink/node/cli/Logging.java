package io.peerlink.node.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/** Run-time log settings; logback.xml sets INFO on standard error. */
final class Logging {

  private static volatile boolean debug;

  private Logging() {
  }

  /** DEBUG for peerlink's own loggers (including System.Logger ones from the library modules). */
  static void enableDebug() {
    debug = true;
    context().getLogger("io.peerlink").setLevel(Level.DEBUG);
  }

  /**
   * The demo's console: discovery-core's lines (the seed's {@code [PEER EPOCH]} and friends), bare
   * and indented, on standard output between the demo's own lines; everything else only from WARN
   * up, unless {@code --debug}.
   */
  static void demo() {
    LoggerContext ctx = context();
    if (!debug) {
      ctx.getLogger("io.peerlink").setLevel(Level.WARN);
      ctx.getLogger("io.peerlink.discovery").setLevel(Level.INFO);
    }
    Appender<ILoggingEvent> appender = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    if (appender instanceof ConsoleAppender) {
      ConsoleAppender<ILoggingEvent> console = (ConsoleAppender<ILoggingEvent>) appender;
      console.stop();
      PatternLayoutEncoder encoder = new PatternLayoutEncoder();
      encoder.setContext(ctx);
      encoder.setPattern(debug ? "        %-5level %logger{20} - %msg%n" : "        %msg%n");
      encoder.start();
      console.setEncoder(encoder);
      console.setTarget("System.out");
      console.start();
    }
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }
}
