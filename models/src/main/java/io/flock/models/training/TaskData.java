package io.flock.models.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.flock.models.data.Batch;
import io.flock.models.data.ImageAugmentation;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.SampleTransform;
import io.flock.models.data.TextAugmentation;
import io.flock.models.zoo.ModelSpec;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * What a model's task makes of a data set: which samples fit which model, how a sample becomes
 * inputs and targets, and how a {@link Batch} becomes NDArrays.
 *
 * <ul>
 *   <li>CLASSIFICATION: float features of exactly the model's input size, the class label.
 *   <li>LANGUAGE_MODEL: token windows of the model's context + 1; inputs are the first {@code
 *       context} tokens, targets the next token at every position (Radford et al. 2019).
 *   <li>MASKED_LM: token windows of the model's sequence length, corrupted by BERT's 15% recipe
 *       (80% {@code [MASK]}, 10% random, 10% kept); targets at the chosen positions only (Devlin et
 *       al. 2019). Evaluation masks with a fixed seed, so every evaluation sees the same masks.
 * </ul>
 */
final class TaskData {

  /** Seed of the evaluation masks of a masked LM. */
  static final long EVAL_MASK_SEED = 0x6D61736BL;

  private TaskData() {}

  /** The transform of training batches; validates that {@code data} fits {@code spec}. */
  static SampleTransform trainingTransform(ModelSpec spec, LabeledDataset data, DataSettings settings) {
    check(spec, data);
    return switch (spec.task()) {
      case CLASSIFICATION -> SampleTransform.classification(settings.augment() ? imageAugmentation(spec) : null);
      case LANGUAGE_MODEL -> SampleTransform.nextToken(
          settings.augment() ? new TextAugmentation(0.05, data.vocabulary() - 1, 0.05) : null);
      case MASKED_LM -> SampleTransform.maskedLm(TextAugmentation.MlmMasking.bert(data.vocabulary()));
    };
  }

  /** The transform of evaluation batches: no augmentation; fixed masks for a masked LM. */
  static SampleTransform evaluationTransform(ModelSpec spec, LabeledDataset data) {
    check(spec, data);
    return switch (spec.task()) {
      case CLASSIFICATION -> SampleTransform.classification(null);
      case LANGUAGE_MODEL -> SampleTransform.nextToken(null);
      case MASKED_LM -> SampleTransform.maskedLm(TextAugmentation.MlmMasking.bert(data.vocabulary()));
    };
  }

  /** Crop, flip and noise for an image model ({@code (c, h, w)} or a flat square grey image). */
  private static ImageAugmentation imageAugmentation(ModelSpec spec) {
    Shape s = spec.sampleShape();
    if (s.dimension() == 3) {
      return new ImageAugmentation((int) s.get(0), (int) s.get(1), (int) s.get(2), 2, true, 0.01);
    }
    int side = (int) Math.round(Math.sqrt(spec.sampleSize()));
    if (side * side == spec.sampleSize() && side >= 8) {
      return new ImageAugmentation(1, side, side, 2, true, 0.01);
    }
    throw new IllegalArgumentException("augmentation is for images; " + spec.name() + " takes "
        + spec.sampleShape() + " features, not an image");
  }

  /** Throws with the reason when {@code data} does not fit {@code spec}. */
  static void check(ModelSpec spec, LabeledDataset data) {
    if (spec.task() == ModelSpec.Task.CLASSIFICATION) {
      if (data.isTokens()) {
        throw new IllegalArgumentException(spec.name() + " classifies float features; " + data.name()
            + " holds token windows (train a language model on it: char-lm, gpt-mini, bert-tiny)");
      }
      if (data.featureDim() != spec.sampleSize()) {
        throw new IllegalArgumentException(spec.name() + " takes " + spec.sampleSize()
            + " features per sample, data set " + data.name() + " has " + data.featureDim());
      }
      return;
    }
    if (!data.isTokens()) {
      throw new IllegalArgumentException(spec.name() + " is a " + spec.task() + " model over token ids; "
          + data.name() + " holds float features (use a text data set such as austen)");
    }
    int expected = spec.task() == ModelSpec.Task.LANGUAGE_MODEL ? spec.sampleSize() + 1 : spec.sampleSize();
    if (data.featureDim() != expected) {
      throw new IllegalArgumentException(spec.name() + " needs token windows of " + expected + " ids, "
          + data.name() + " has windows of " + data.featureDim());
    }
    if (data.vocabulary() > spec.numClasses()) {
      throw new IllegalArgumentException(spec.name() + " has a vocabulary of " + spec.numClasses()
          + " ids, " + data.name() + " was tokenized into " + data.vocabulary());
    }
  }

  /** The model input of {@code batch}: {@code (size, sampleShape)} floats or {@code (size, seq)} int32 ids. */
  static NDArray inputs(NDManager manager, ModelSpec spec, Batch batch) {
    int size = batch.size();
    if (batch.isTokens()) {
      return manager.create(IntBuffer.wrap(batch.tokens(), 0, size * batch.sampleLength()),
          new Shape(size, batch.sampleLength()), ai.djl.ndarray.types.DataType.INT32);
    }
    return manager.create(FloatBuffer.wrap(batch.features(), 0, size * batch.sampleLength()),
        new Shape(size).addAll(spec.sampleShape()));
  }

  /** Class labels as float {@code (size)} or per-position targets as int32 {@code (size, seq)}. */
  static NDArray targets(NDManager manager, Batch batch) {
    int size = batch.size();
    if (batch.targetsPerSample() == 1 && !batch.isTokens()) {
      float[] y = new float[size];
      for (int i = 0; i < size; i++) {
        y[i] = batch.targets()[i];
      }
      return manager.create(y, new Shape(size));
    }
    return manager.create(IntBuffer.wrap(batch.targets()), new Shape(size, batch.targetsPerSample()),
        ai.djl.ndarray.types.DataType.INT32);
  }
}
