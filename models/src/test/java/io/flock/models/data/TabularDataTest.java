package io.flock.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV and ARFF readers on small fixtures in the packages' layouts, and their errors. */
class TabularDataTest {

  @TempDir Path tmp;

  static final String ARFF = """
      % a comment
      @relation german_credit
      @attribute checking_status { '<0', '0<=X<200', 'no checking'}
      @attribute duration numeric
      @attribute purpose { 'new car', radio/tv}
      @attribute class { good, bad}
      @data
      '<0',6,radio/tv,good
      'no checking',48,'new car',bad
      '0<=X<200',12,radio/tv,good
      '<0',24,'new car',good
      '<0',30,radio/tv,bad
      """;

  @Test
  void arffNominalAttributesAreOneHotAndNumericOnesKept() throws IOException {
    Path f = Files.writeString(tmp.resolve("credit-g.arff"), ARFF);
    LabeledDataset d = TabularData.readGermanCredit(f);
    assertEquals(5, d.size());
    assertEquals(3 + 1 + 2, d.featureDim());
    float[] row = new float[6];
    d.copyFeatures(1, row, 0);
    assertArrayEquals(new float[] {0, 0, 1, 48, 1, 0}, row);
    assertArrayEquals(new int[] {0, 1, 0, 0, 1}, d.labels());
  }

  @Test
  void splitHoldsOutEveryFifthRowAndStandardizesWithTrainingStatistics() throws IOException {
    Path f = Files.writeString(tmp.resolve("credit-g.arff"), ARFF);
    Mnist.Splits s = TabularData.standardizedSplit(TabularData.readGermanCredit(f));
    assertEquals(4, s.train().size());
    assertEquals(1, s.test().size());
    // duration of the training rows 6, 48, 12, 24: mean 22.5; the test row (30) uses that mean
    double mean = 22.5;
    double sd = Math.sqrt(((6 - mean) * (6 - mean) + (48 - mean) * (48 - mean) + (12 - mean) * (12 - mean)
        + (24 - mean) * (24 - mean)) / 4);
    assertEquals((30 - mean) / sd, s.test().feature(0, 3), 1e-5);
  }

  @Test
  void breastCancerCsvIsReadInScikitLearnsLayout() throws IOException {
    Path f = Files.writeString(tmp.resolve("breast_cancer.csv"),
        "3,2,malignant,benign\n1.5,2,0\n3,4.25,1\n5,6,1\n");
    LabeledDataset d = TabularData.readBreastCancer(f);
    assertEquals(3, d.size());
    assertEquals(2, d.featureDim());
    assertEquals(4.25f, d.feature(1, 1));
    assertArrayEquals(new int[] {0, 1, 1}, d.labels());
  }

  @Test
  void malformedCsvRowNamesTheFileLineAndProblem() throws IOException {
    Path f = Files.writeString(tmp.resolve("breast_cancer.csv"), "2,2,malignant,benign\n1,2,0\n3,abc,1\n");
    IOException e = assertThrows(IOException.class, () -> TabularData.readBreastCancer(f));
    assertTrue(e.getMessage().contains(f + " line 3, column 2: `abc` is not a finite number"), e.getMessage());
    Path short_ = Files.writeString(tmp.resolve("short.csv"), "2,2,malignant,benign\n1,2\n3,4,1\n");
    IOException s = assertThrows(IOException.class, () -> TabularData.readBreastCancer(short_));
    assertTrue(s.getMessage().contains("line 2: 2 values, expected 3"), s.getMessage());
    Path truncated = Files.writeString(tmp.resolve("t.csv"), "5,2,malignant,benign\n1,2,0\n");
    IOException t = assertThrows(IOException.class, () -> TabularData.readBreastCancer(truncated));
    assertTrue(t.getMessage().contains("is truncated: the header declares 5 rows, the file has 1"), t.getMessage());
  }

  @Test
  void malformedArffRowNamesTheFileLineAndProblem() throws IOException {
    Path f = Files.writeString(tmp.resolve("bad.arff"), ARFF.replace("'no checking',48", "'no checking'"));
    IOException e = assertThrows(IOException.class, () -> TabularData.readGermanCredit(f));
    assertTrue(e.getMessage().contains(f + " line 9: 3 values, expected 4 (one per @attribute)"), e.getMessage());
    Path v = Files.writeString(tmp.resolve("value.arff"), ARFF.replace("radio/tv,good\n'no", "bicycle,good\n'no"));
    IOException u = assertThrows(IOException.class, () -> TabularData.readGermanCredit(v));
    assertTrue(u.getMessage().contains("line 8: `bicycle` is not a value of purpose"), u.getMessage());
  }

  @Test
  void missingDataSetWithoutFetchSaysWhatToRun() {
    DataUnavailableException e = assertThrows(DataUnavailableException.class,
        () -> DataSets.get(DataSets.GERMAN_CREDIT).load(tmp, "logistic", 0, false));
    assertTrue(e.getMessage().endsWith("run `./flock datasets fetch german-credit`"), e.getMessage());
  }

  @Test
  void unreadableCachedFileSaysHowToRecover() throws IOException {
    Files.createDirectories(tmp.resolve("breast-cancer"));
    Files.writeString(tmp.resolve("breast-cancer/breast_cancer.csv"), "");
    DataUnavailableException e = assertThrows(DataUnavailableException.class,
        () -> DataSets.get(DataSets.BREAST_CANCER).load(tmp, "logistic", 0, false));
    assertTrue(e.getMessage().contains("is empty; expected the header"), e.getMessage());
    assertTrue(e.getMessage().contains("delete " + tmp.resolve("breast-cancer") + " and run `./flock datasets fetch breast-cancer` again"),
        e.getMessage());
  }
}
