package nl.omzien.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.LocalDate;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Volunteer cards share repeated sets and dates")
class SharedValuesTest {

  @Test
  @DisplayName("the same skills in any order give one immutable instance with the same members")
  void sets() {
    SharedValues shared = new SharedValues();
    Set<String> a = shared.set(new String[] {"first_aid", "dementia_experience"});
    Set<String> b = shared.set(new String[] {"dementia_experience", "first_aid"});
    assertSame(a, b);
    assertEquals(Set.of("first_aid", "dementia_experience"), a);
    assertSame(shared.set(new String[0]), shared.set(new String[0]));
    assertEquals(Set.of(), shared.set(new String[0]));
    assertThrows(UnsupportedOperationException.class, () -> a.add("x"));
  }

  @Test
  @DisplayName("equal dates share one instance; null stays null")
  void dates() {
    SharedValues shared = new SharedValues();
    LocalDate first = shared.date(LocalDate.of(2025, 3, 1));
    assertSame(first, shared.date(LocalDate.of(2025, 3, 1)));
    assertSame(first, shared.date(LocalDate.parse("2025-03-01")));
    assertNull(shared.date(null));
  }

  @Test
  @DisplayName("past its limit it stops sharing but still answers correctly")
  void bounded() {
    SharedValues shared = new SharedValues();
    for (int i = 0; i < SharedValues.LIMIT; i++) {
      shared.set(new String[] {"s" + i});
    }
    Set<String> late = shared.set(new String[] {"new"});
    assertEquals(Set.of("new"), late);
    assertNotSame(late, shared.set(new String[] {"new"}));
    assertSame(shared.set(new String[] {"s1"}), shared.set(new String[] {"s1"}));
  }
}
