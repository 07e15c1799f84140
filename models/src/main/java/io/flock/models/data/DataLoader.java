package io.flock.models.data;

import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Minibatches of one node's samples as plain Java arrays ({@link Batch}), epoch after epoch.
 *
 * <p>Order: with {@code shuffle}, each epoch is a fresh permutation drawn from one {@link Random}
 * seeded with the loader's seed (the node's per-task seed), epoch after epoch, by our own sampler
 * ({@link Partitioner#permutation}); DJL's {@code RandomSampler} would draw from a global
 * generator. Without it, samples come in their partition order. The last batch of an epoch may be
 * smaller.
 *
 * <p>Workers: with {@code numWorkers = 0} every batch is assembled on the caller's thread when it
 * is asked for. With {@code numWorkers > 0} the loader owns a fixed pool of that many daemon
 * threads that assemble (copy, transform, augment) whole batches ahead of the consumer, at most
 * {@code numWorkers x prefetchFactor} batches in flight (PyTorch's {@code prefetch_factor}); the
 * consumer gets them in order. Augmentation randomness is seeded from (seed, epoch, position), so
 * the batches are the same whatever the number of workers. The pool is shut down by {@link
 * #close()}: a loader lives inside one training task (on the blocking dispatcher), never inside an
 * actor's message handler.
 *
 * <p>Use: {@code reset()} starts an epoch (the first {@link #hasMore()} starts one too), then
 * {@code while (hasMore()) nextBatch()}. One consumer thread.
 */
public final class DataLoader implements AutoCloseable {

  /**
   * @param batchSize samples per batch, >= 1
   * @param shuffle a new seeded permutation every epoch
   * @param numWorkers threads assembling batches ahead; 0 = on the caller's thread
   * @param prefetchFactor batches in flight per worker, >= 1 (ignored without workers)
   */
  public record Options(int batchSize, boolean shuffle, int numWorkers, int prefetchFactor) {
    /** Validates every field; the message names it and the rule. */
    public Options {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
      }
      if (numWorkers < 0) {
        throw new IllegalArgumentException("numWorkers must be >= 0 (0 = inline), was " + numWorkers);
      }
      if (prefetchFactor < 1) {
        throw new IllegalArgumentException("prefetchFactor must be >= 1, was " + prefetchFactor);
      }
    }

    /** Shuffled batches of {@code batchSize}, assembled inline. */
    public static Options shuffled(int batchSize) {
      return new Options(batchSize, true, 0, 2);
    }

    /** This with {@code numWorkers} workers and {@code prefetchFactor} batches each in flight. */
    public Options withWorkers(int numWorkers, int prefetchFactor) {
      return new Options(batchSize, shuffle, numWorkers, prefetchFactor);
    }
  }

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final LabeledDataset data;
  private final int[] indices;
  private final Options options;
  private final SampleTransform transform;
  private final long seed;
  private final Random order;
  private final ExecutorService pool;
  private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
  private int[] permutation;
  private int epoch = -1;
  private int nextToSubmit;
  private int nextToReturn;
  private boolean closed;

  /** A loader over one node's samples. */
  public DataLoader(NodeData data, Options options, SampleTransform transform, long seed) {
    this(data.dataset(), indices(data), options, transform, seed);
  }

  /** A loader over the samples {@code indices} (copied) of {@code data}. */
  public DataLoader(LabeledDataset data, int[] indices, Options options, SampleTransform transform, long seed) {
    if (indices.length == 0) {
      throw new IllegalArgumentException("a loader needs at least one sample of " + data.name());
    }
    this.data = data;
    this.indices = indices.clone();
    this.options = options;
    this.transform = transform;
    this.seed = seed;
    this.order = new Random(seed);
    if (options.numWorkers() > 0) {
      int id = POOLS.incrementAndGet();
      AtomicInteger threads = new AtomicInteger();
      this.pool = new ThreadPoolExecutor(options.numWorkers(), options.numWorkers(), 0, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "flock-loader-" + id + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
    } else {
      this.pool = null;
    }
  }

  private static int[] indices(NodeData data) {
    int[] out = new int[data.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.index(i);
    }
    return out;
  }

  /** Samples per epoch. */
  public int size() {
    return indices.length;
  }

  /** Batches per epoch. */
  public int batchesPerEpoch() {
    return (indices.length + options.batchSize() - 1) / options.batchSize();
  }

  /** The current epoch, 0-based; -1 before the first. */
  public int epoch() {
    return epoch;
  }

  /** Starts the next epoch: a new permutation; batches of the previous one still in flight are dropped. */
  public void reset() {
    checkOpen();
    cancelInFlight();
    epoch++;
    permutation = options.shuffle() ? Partitioner.permutation(indices.length, order) : identity(indices.length);
    nextToSubmit = 0;
    nextToReturn = 0;
  }

  /** Whether the current epoch has another batch (starts the first epoch when none is running). */
  public boolean hasMore() {
    checkOpen();
    if (epoch < 0) {
      reset();
    }
    return nextToReturn < batchesPerEpoch();
  }

  /** The next batch of the current epoch. */
  public Batch nextBatch() {
    if (!hasMore()) {
      throw new NoSuchElementException("epoch " + epoch + " has no more batches; call reset()");
    }
    int b = nextToReturn++;
    if (pool == null) {
      return assemble(epoch, permutation, b);
    }
    int ahead = options.numWorkers() * options.prefetchFactor();
    while (nextToSubmit < batchesPerEpoch() && inFlight.size() < ahead) {
      int batch = nextToSubmit++;
      int e = epoch;
      int[] perm = permutation;
      inFlight.add(pool.submit(() -> assemble(e, perm, batch)));
    }
    Future<Batch> head = inFlight.poll();
    try {
      return head.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for batch " + b);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("assembling batch " + b + " of " + data.name() + " failed", e.getCause());
    }
  }

  private Batch assemble(int epochIndex, int[] perm, int b) {
    int start = b * options.batchSize();
    int size = Math.min(options.batchSize(), indices.length - start);
    Batch batch = new Batch(size, transform.sampleLength(data), transform.tokenInput(), transform.targetsPerSample(data));
    long epochSeed = Seeds.derive(seed ^ 0x5DEECE66DL, epochIndex);
    for (int k = 0; k < size; k++) {
      Random random = new Random(Seeds.derive(epochSeed, start + k));
      transform.apply(data, indices[perm[start + k]], random, batch, k);
    }
    return batch;
  }

  private static int[] identity(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    return out;
  }

  private void cancelInFlight() {
    for (Future<Batch> f : inFlight) {
      f.cancel(false);
    }
    inFlight.clear();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the loader over " + data.name() + " is closed");
    }
  }

  /** Drops batches in flight and shuts the worker pool down. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    cancelInFlight();
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
