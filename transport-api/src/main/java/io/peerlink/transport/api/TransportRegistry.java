package io.peerlink.transport.api;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The installed {@link TransportProvider}s, and the transports made from them.
 *
 * <p>A plain object: tests create one with {@code new} and {@link #register} what they need; an
 * application builds one with {@link #installed()} (ServiceLoader) and injects it. An endpoint's
 * scheme picks the provider: among available providers of that scheme, the highest
 * {@linkplain TransportProvider#priority() priority} wins, ties broken by class name.
 *
 * <p>{@link #transportFor(Endpoint)} creates one transport per provider on first use and keeps
 * it; {@link #close()} closes them all.
 */
public final class TransportRegistry implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(TransportRegistry.class.getName());

  private static final Comparator<TransportProvider> ORDER =
      Comparator.comparingInt(TransportProvider::priority).reversed()
          .thenComparing(p -> p.getClass().getName());

  private final List<TransportProvider> providers = new ArrayList<>();
  private final Map<TransportProvider, Transport> transports = new HashMap<>();
  private boolean closed;

  /** An empty registry. */
  public TransportRegistry() {
  }

  /**
   * A registry of every provider ServiceLoader finds, through this class's loader and the thread's
   * context class loader. A provider that fails to load is logged and left out.
   */
  public static TransportRegistry installed() {
    TransportRegistry registry = new TransportRegistry();
    Set<String> seen = new TreeSet<>();
    for (ClassLoader loader : new ClassLoader[] {TransportRegistry.class.getClassLoader(),
        Thread.currentThread().getContextClassLoader()}) {
      if (loader == null) {
        continue;
      }
      Iterator<TransportProvider> it = ServiceLoader.load(TransportProvider.class, loader).iterator();
      while (true) {
        try {
          if (!it.hasNext()) {
            break;
          }
          TransportProvider p = it.next();
          if (seen.add(p.getClass().getName())) {
            registry.register(p);
          }
        } catch (ServiceConfigurationError e) {
          LOG.log(Level.WARNING, "a transport provider failed to load and is left out: " + e.getMessage(), e);
        }
      }
    }
    return registry;
  }

  /** Adds a provider. */
  public synchronized TransportRegistry register(TransportProvider provider) {
    providers.add(provider);
    providers.sort(ORDER);
    return this;
  }

  /** Removes a provider; a transport already made from it stays open until {@link #close()}. */
  public synchronized void deregister(TransportProvider provider) {
    providers.remove(provider);
  }

  /** Every registered provider, available or not, highest priority first. */
  public synchronized List<TransportProvider> providers() {
    return List.copyOf(providers);
  }

  /** The schemes served by available providers. */
  public synchronized Set<String> schemes() {
    return providers.stream().filter(TransportProvider::isAvailable)
        .flatMap(p -> p.schemes().stream()).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Parses an endpoint and checks that an available provider serves its scheme.
   *
   * @throws InvalidEndpointException when the text is malformed or no provider serves the scheme;
   *     the message lists the installed schemes
   */
  public Endpoint endpoint(String text) {
    Endpoint endpoint = Endpoint.parse(text);
    if (find(endpoint.scheme()) == null) {
      throw new InvalidEndpointException(text, "one of the installed schemes " + schemes()
          + "; no installed transport serves '" + endpoint.scheme() + "'" + unavailableNote(endpoint.scheme()));
    }
    return endpoint;
  }

  /**
   * The provider for a scheme.
   *
   * @throws TransportException of kind {@link TransportException.Kind#UNSUPPORTED}, naming the
   *     scheme, every installed provider and, for unavailable ones, why
   */
  public synchronized TransportProvider providerFor(Endpoint endpoint) throws TransportException {
    TransportProvider p = find(endpoint.scheme());
    if (p == null) {
      throw new TransportException(endpoint, TransportException.Kind.UNSUPPORTED,
          "no available transport serves scheme '" + endpoint.scheme() + "'. Installed: " + describe()
              + ". Add the transport module for '" + endpoint.scheme() + "' to the class path.");
    }
    return p;
  }

  /**
   * The transport for an endpoint's scheme, created on first use and kept.
   *
   * @throws TransportException as {@link #providerFor}, or when the registry is closed
   */
  public synchronized Transport transportFor(Endpoint endpoint) throws TransportException {
    if (closed) {
      throw new TransportException(endpoint, TransportException.Kind.CLOSED, "the transport registry is closed");
    }
    TransportProvider p = providerFor(endpoint);
    Transport t = transports.get(p);
    if (t == null) {
      t = p.create();
      transports.put(p, t);
    }
    return t;
  }

  /** A one-line description of every provider: schemes, priority, availability and reason. */
  public synchronized String describe() {
    if (providers.isEmpty()) {
      return "none";
    }
    return providers.stream().map(p -> p.getClass().getName() + " " + p.schemes()
        + (p.isAvailable() ? "" : " unavailable: " + p.unavailabilityReason().orElse("no reason given")))
        .collect(Collectors.joining("; "));
  }

  /** Closes every transport this registry created. The providers stay registered. */
  @Override
  public void close() {
    List<Transport> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(transports.values());
      transports.clear();
    }
    for (Transport t : toClose) {
      try {
        t.close();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "closing transport " + t + " failed", e);
      }
    }
  }

  private synchronized TransportProvider find(String scheme) {
    for (TransportProvider p : providers) {
      if (p.isAvailable() && p.schemes().contains(scheme)) {
        return p;
      }
    }
    return null;
  }

  private synchronized String unavailableNote(String scheme) {
    String reasons = providers.stream().filter(p -> !p.isAvailable() && p.schemes().contains(scheme))
        .map(p -> p.getClass().getName() + " is unavailable: " + p.unavailabilityReason().orElse("no reason given"))
        .collect(Collectors.joining("; "));
    return reasons.isEmpty() ? "" : " (" + reasons + ")";
  }
}
