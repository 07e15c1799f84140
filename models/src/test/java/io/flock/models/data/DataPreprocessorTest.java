package io.flock.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DataPreprocessorTest {

  // two columns: the first 1, 2, 3 (mean 2, population std sqrt(2/3)), the second constant 5
  private static final float[] TRAIN = {1, 5, 2, 5, 3, 5};

  @Test
  void standardizationUsesTrainingStatisticsForTestDataAndZeroesConstantColumns() {
    DataPreprocessor.Scaler s = DataPreprocessor.standardize(TRAIN, 2);
    float[] train = TRAIN.clone();
    s.applyInPlace(train);
    double sd = Math.sqrt(2.0 / 3);
    assertArrayEquals(new float[] {(float) (-1 / sd), 0, 0, 0, (float) (1 / sd), 0}, train, 1e-6f);
    float[] test = {4, 7};
    s.applyInPlace(test); // training mean 2 and std, not the test row's own
    assertArrayEquals(new float[] {(float) (2 / sd), 0}, test, 1e-6f);
  }

  @Test
  void minMaxMapsTrainingColumnsToTheUnitInterval() {
    DataPreprocessor.Scaler s = DataPreprocessor.minMax(TRAIN, 2);
    float[] train = TRAIN.clone();
    s.applyInPlace(train);
    assertArrayEquals(new float[] {0, 0, 0.5f, 0, 1, 0}, train, 1e-6f);
    float[] test = {5, 9};
    s.applyInPlace(test);
    assertArrayEquals(new float[] {2, 0}, test, 1e-6f, "test values outside the training range stay outside");
  }

  @Test
  void fittingOnNothingIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DataPreprocessor.standardize(new float[0], 3));
    assertTrue(e.getMessage().contains("need at least one training row of 3 columns"), e.getMessage());
  }

  @Test
  void byteTokenizerRoundTripsUtf8() {
    ByteTokenizer t = new ByteTokenizer();
    assertArrayEquals(new int[] {72, 105, 0xc3, 0xa9}, t.encode("Hi\u00e9"));
    assertEquals("Hi\u00e9", t.decode(t.encode("Hi\u00e9")));
  }

  @Test
  void gpt2BpeGivesTheR50kIdsAndMapsIdsBeyondTheVocabularyToUnknown() {
    Gpt2Tokenizer full = new Gpt2Tokenizer(50_000);
    // GPT-2's ids for "Hello world" (tiktoken r50k_base): 15496, 995
    assertArrayEquals(new int[] {15496, 995}, full.encode("Hello world"));
    assertEquals("Hello world", full.decode(full.encode("Hello world")));
    Gpt2Tokenizer small = new Gpt2Tokenizer(1_000);
    assertArrayEquals(new int[] {999, 995}, small.encode("Hello world"), "15496 is beyond 1,000 ids");
    assertEquals(0.5, small.unknownShare("Hello world"));
  }

  @Test
  void wordPieceVocabularyIsCappedAndUnseenWordsSpellOutOrBecomeUnknown() {
    WordPieceTokenizer wp = WordPieceTokenizer.build(List.of("the cat sat. The cat ran!"), 1_000);
    assertEquals("[CLS]", wp.token(WordPieceTokenizer.CLS));
    int cat = wp.encode("cat")[0];
    assertEquals(1, wp.encode("cat").length, "a training word is one token");
    assertEquals("cat", wp.token(cat));
    int[] tac = wp.encode("tac");
    assertEquals(List.of("t", "##a", "##c"), java.util.Arrays.stream(tac).mapToObj(wp::token).toList());
    assertArrayEquals(new int[] {WordPieceTokenizer.UNK}, wp.encode("zebra"), "z was never seen");
    assertEquals("the cat !", wp.decode(wp.encode("The cat!")));
    WordPieceTokenizer capped = WordPieceTokenizer.build(List.of("the cat sat. The cat ran!"), 12);
    assertEquals(12, capped.vocabularySize());
  }
}
