package io.flock.models.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The Synthetic(alpha, beta) federated benchmark of Li et al. 2020 ("Federated Optimization in
 * Heterogeneous Networks", Sec. 5.1), generated the way the paper's reference generator does it:
 *
 * <ul>
 *   <li>30 devices, 60 features, 10 classes; device k holds {@code floor(LogNormal(4, 2)) + 50}
 *       samples;
 *   <li>model heterogeneity: {@code u_k ~ N(0, alpha)}, {@code W_k ~ N(u_k, 1)} (60x10), {@code
 *       b_k ~ N(u_k, 1)} (10), labels {@code y = argmax(softmax(W_k x + b_k))};
 *   <li>data heterogeneity: {@code B_k ~ N(0, beta)}, {@code v_k ~ N(B_k, 1)} per feature, {@code
 *       x ~ N(v_k, Sigma)} with diagonal {@code Sigma_jj = j^-1.2};
 *   <li>each device's samples are split 90% train / 10% test, in order.
 * </ul>
 *
 * The distributions and the procedure are the reference generator's; the random stream is
 * Java's seeded {@link Random}, not NumPy's, so the samples are not bit-identical to the files the
 * paper's scripts write.
 */
public final class SyntheticFedProx {

  /** Devices in the paper's setting. */
  public static final int DEVICES = 30;

  /** Features per sample. */
  public static final int FEATURES = 60;

  /** Classes. */
  public static final int CLASSES = 10;

  /**
   * The generated federation.
   *
   * @param train all devices' training samples, device after device
   * @param test all devices' test samples, device after device
   * @param trainPartition device k's training sample indices into {@code train} (the natural
   *     partition)
   * @param testPartition device k's test sample indices into {@code test}
   */
  public record Federation(
      LabeledDataset train, LabeledDataset test, List<int[]> trainPartition, List<int[]> testPartition) {}

  private SyntheticFedProx() {}

  /** Synthetic(alpha, beta) with 30 devices. */
  public static Federation generate(double alpha, double beta, long seed) {
    return generate(alpha, beta, DEVICES, seed);
  }

  /** Synthetic(alpha, beta) with {@code devices} devices. */
  public static Federation generate(double alpha, double beta, int devices, long seed) {
    if (!(alpha >= 0) || !(beta >= 0) || Double.isInfinite(alpha) || Double.isInfinite(beta)) {
      throw new IllegalArgumentException(
          "alpha and beta must be finite and >= 0, were " + alpha + ", " + beta);
    }
    if (devices < 1) {
      throw new IllegalArgumentException("devices must be >= 1, was " + devices);
    }
    Random r = new Random(seed);
    int[] samples = new int[devices];
    for (int k = 0; k < devices; k++) {
      samples[k] = (int) Math.exp(4 + 2 * r.nextGaussian()) + 50;
    }
    double[] meanW = new double[devices];
    for (int k = 0; k < devices; k++) {
      meanW[k] = alpha * r.nextGaussian();
    }
    double[] bigB = new double[devices];
    for (int k = 0; k < devices; k++) {
      bigB[k] = beta * r.nextGaussian();
    }
    double[] sd = new double[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      sd[j] = Math.sqrt(Math.pow(j + 1, -1.2));
    }
    List<float[]> trainX = new ArrayList<>();
    List<Integer> trainY = new ArrayList<>();
    List<float[]> testX = new ArrayList<>();
    List<Integer> testY = new ArrayList<>();
    List<int[]> trainParts = new ArrayList<>();
    List<int[]> testParts = new ArrayList<>();
    for (int k = 0; k < devices; k++) {
      double[] meanX = new double[FEATURES];
      for (int j = 0; j < FEATURES; j++) {
        meanX[j] = bigB[k] + r.nextGaussian();
      }
      double[][] w = new double[FEATURES][CLASSES];
      for (int j = 0; j < FEATURES; j++) {
        for (int c = 0; c < CLASSES; c++) {
          w[j][c] = meanW[k] + r.nextGaussian();
        }
      }
      double[] b = new double[CLASSES];
      for (int c = 0; c < CLASSES; c++) {
        b[c] = meanW[k] + r.nextGaussian();
      }
      int n = samples[k];
      int nTrain = (int) (0.9 * n);
      int[] trainIdx = new int[nTrain];
      int[] testIdx = new int[n - nTrain];
      for (int i = 0; i < n; i++) {
        float[] x = new float[FEATURES];
        for (int j = 0; j < FEATURES; j++) {
          x[j] = (float) (meanX[j] + sd[j] * r.nextGaussian());
        }
        int y = argmax(x, w, b);
        if (i < nTrain) {
          trainIdx[i] = trainX.size();
          trainX.add(x);
          trainY.add(y);
        } else {
          testIdx[i - nTrain] = testX.size();
          testX.add(x);
          testY.add(y);
        }
      }
      trainParts.add(trainIdx);
      testParts.add(testIdx);
    }
    return new Federation(
        toDataset("synthetic(" + alpha + "," + beta + ")/train", trainX, trainY),
        toDataset("synthetic(" + alpha + "," + beta + ")/test", testX, testY),
        trainParts,
        testParts);
  }

  /** {@code argmax_c (x W + b)_c}; softmax is monotone, so it does not change the argmax. */
  private static int argmax(float[] x, double[][] w, double[] b) {
    int best = 0;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < CLASSES; c++) {
      double v = b[c];
      for (int j = 0; j < FEATURES; j++) {
        v += x[j] * w[j][c];
      }
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    return best;
  }

  private static LabeledDataset toDataset(String name, List<float[]> xs, List<Integer> ys) {
    float[] features = new float[xs.size() * FEATURES];
    int[] labels = new int[ys.size()];
    for (int i = 0; i < xs.size(); i++) {
      System.arraycopy(xs.get(i), 0, features, i * FEATURES, FEATURES);
      labels[i] = ys.get(i);
    }
    return new LabeledDataset(name, features, labels, FEATURES, CLASSES);
  }
}
