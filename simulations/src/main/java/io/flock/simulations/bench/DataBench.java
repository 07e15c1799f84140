package io.flock.simulations.bench;

import ai.djl.Device;
import io.flock.models.data.DataLoader;
import io.flock.models.data.ImageAugmentation;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.NodeData;
import io.flock.models.data.SampleTransform;
import io.flock.models.training.DataSettings;
import io.flock.models.training.LocalTrainer;
import io.flock.models.training.LocalUpdate;
import io.flock.models.training.ModelInitializer;
import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;
import io.flock.models.zoo.ModelZoo;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Measurements of the data pipeline and of local training speed; commands, not tests.
 *
 * <ul>
 *   <li>{@link #loader}: samples/s of a {@link DataLoader} with augmentation at several worker and
 *       prefetch settings, loading alone and feeding real CNN training steps.
 *   <li>{@link #steps}: local SGD steps/s of every model of the zoo on random data of its input
 *       shape, after one warm-up task.
 * </ul>
 */
public final class DataBench {

  private DataBench() {}

  /** One loader setting's result. */
  public record LoaderRow(int workers, int prefetch, double loadSamplesPerSecond, double trainSamplesPerSecond) {}

  /** One model's training speed. */
  public record StepsRow(String model, int batchSize, int steps, double stepsPerSecond, double samplesPerSecond) {}

  /**
   * Loads {@code data} with crop, flip and noise augmentation and batch {@code batch} for each
   * (workers, prefetch) setting: one pass alone, then {@code trainSamples} samples of CNN training.
   */
  public static List<LoaderRow> loader(LabeledDataset data, int batch, int trainSamples, int[][] settings,
      Consumer<LoaderRow> onRow) {
    List<LoaderRow> rows = new ArrayList<>();
    int[] all = new int[data.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    SampleTransform t = SampleTransform.classification(ImageAugmentation.standard28());
    ModelSpec cnn = ModelZoo.get(ModelZoo.CNN);
    ModelWeights init = ModelInitializer.initialWeights(cnn, 1);
    int[] head = java.util.Arrays.copyOf(all, Math.min(trainSamples, all.length));
    for (int[] s : settings) {
      DataLoader.Options o = DataLoader.Options.shuffled(batch).withWorkers(s[0], s[1]);
      long start = System.nanoTime();
      long checksum = 0;
      try (DataLoader loader = new DataLoader(data, all, o, t, 1)) {
        loader.reset();
        while (loader.hasMore()) {
          checksum += loader.nextBatch().size();
        }
      }
      double load = checksum / ((System.nanoTime() - start) / 1e9);
      double train;
      try (LocalTrainer trainer = new LocalTrainer(cnn, Device.cpu(), new DataSettings(s[0], s[1], true))) {
        TrainConfig cfg = new TrainConfig(1, batch, 0.05, 0, 0, 0, 0);
        trainer.train(init, cfg, new NodeData(data, java.util.Arrays.copyOf(head, batch * 4)), 2); // warm-up
        long t0 = System.nanoTime();
        trainer.train(init, cfg, new NodeData(data, head), 3);
        train = head.length / ((System.nanoTime() - t0) / 1e9);
      }
      LoaderRow row = new LoaderRow(s[0], s[1], load, train);
      rows.add(row);
      onRow.accept(row);
    }
    return rows;
  }

  /**
   * Steps/s of each model at its batch size on {@code device}: {@code steps} timed steps after a
   * warm-up task. A step's time includes copying the update back to the host at the task's end.
   */
  public static List<StepsRow> steps(List<String> models, int classifierBatch, int tokenBatch, int steps,
      Device device, Consumer<StepsRow> onRow) {
    List<StepsRow> rows = new ArrayList<>();
    for (String name : models) {
      ModelSpec spec = ModelZoo.get(name);
      if (spec.name().equals(ModelZoo.RESNET18)) {
        spec = ModelZoo.get(ModelZoo.RESNET18, 784, 10); // the 28x28 grey form simulate trains
      }
      int batch = spec.takesTokens() ? tokenBatch : classifierBatch;
      LabeledDataset data = randomData(spec, batch * steps, 7);
      int[] idx = new int[data.size()];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = i;
      }
      ModelWeights init = ModelInitializer.initialWeights(spec, 1);
      try (LocalTrainer trainer = new LocalTrainer(spec, device)) {
        trainer.train(init, new TrainConfig(1, batch, 0.01, 0, 0, 1, 0), new NodeData(data, idx), 1); // warm-up
        long t0 = System.nanoTime();
        LocalUpdate u = trainer.train(init, new TrainConfig(1, batch, 0.01, 0, 0, steps, 0), new NodeData(data, idx), 2);
        double seconds = (System.nanoTime() - t0) / 1e9;
        StepsRow row = new StepsRow(name, batch, u.steps(), u.steps() / seconds, u.steps() * batch / seconds);
        rows.add(row);
        onRow.accept(row);
      }
    }
    return rows;
  }

  /** Random features (or token windows) of the model's input shape and vocabulary. */
  static LabeledDataset randomData(ModelSpec spec, int n, long seed) {
    Random r = new Random(seed);
    int[] labels = new int[n];
    if (!spec.takesTokens()) {
      float[] x = new float[n * spec.sampleSize()];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextFloat();
      }
      for (int i = 0; i < n; i++) {
        labels[i] = r.nextInt(spec.numClasses());
      }
      return new LabeledDataset("random", x, labels, spec.sampleSize(), spec.numClasses());
    }
    int len = spec.task() == ModelSpec.Task.LANGUAGE_MODEL ? spec.sampleSize() + 1 : spec.sampleSize();
    int[] tokens = new int[n * len];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = 5 + r.nextInt(spec.numClasses() - 5);
    }
    return LabeledDataset.ofTokens("random", tokens, labels, len, 1, spec.numClasses());
  }
}
