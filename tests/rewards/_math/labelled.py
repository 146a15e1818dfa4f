"""A hand-labelled set of realistic responses: (question, response, gold, is it correct?).

Each class of miss the math reward once had has its own cases, right and wrong, so a fix that
accepts too much shows up as a false positive here.
"""

from __future__ import annotations

Case = tuple[str, str, str, bool]

PLAIN: list[Case] = [
    ("Natalia sold 48 clips in April and half as many in May. How many in total?",
     "In May she sold 48 / 2 = 24 clips.\nIn total 48 + 24 = 72.\n#### 72", "72", True),
    ("Natalia sold 48 clips in April and half as many in May. How many in total?",
     "48 + 24 = 73.\n#### 73", "72", False),
    ("Weng earns $12 an hour. How much for 50 minutes?",
     "Per minute 12/60 = 0.2 dollars, so 50 * 0.2 = 10.\nThe answer is $10.", "10", True),
    ("Weng earns $12 an hour. How much for 50 minutes?",
     "12 * 50 = 600 cents... so the answer is $6.", "10", False),
    ("Simplify 6/8.", "Dividing by 2 we get $\\boxed{\\frac{3}{4}}$.", "0.75", True),
    ("Simplify 6/8.", "We get $\\boxed{\\frac{2}{3}}$.", "3/4", False),
    ("Compute sqrt(12).", "$\\sqrt{12} = 2\\sqrt{3}$, so $\\boxed{2\\sqrt{3}}$.", "\\sqrt{12}",
     True),
    ("Compute sqrt(12).", "So $\\boxed{3\\sqrt{2}}$.", "2\\sqrt{3}", False),
    ("Expand (x+1)^2.", "The answer is $\\boxed{x^2+2x+1}$.", "(x+1)^2", True),
    ("Expand (x+1)^2.", "The answer is $\\boxed{x^2+x+1}$.", "x^2+2x+1", False),
    ("How much does it cost?", "It costs $1,234.50 in total.\nFinal answer: $1,234.50",
     "1234.5", True),
    ("Find x if 2x + 5 = 15.", "2x = 10, so x = 5.\n\nThe final answer is $x = 5$.", "5", True),
    ("Find x if 2x + 5 = 15.", "2x = 20, so the final answer is x = 10.", "5", False),
    ("What is 1/3 as a decimal to 3 places?", "It is about \\boxed{0.333}.", "0.333", True),
    ("Compute 2^10.", "<think>2^10 = 1000? no, 1024</think>The answer is 1024.", "1024", True),
    ("Compute 2^10.", "<think>maybe 1024</think>I get \\boxed{1000}.", "1024", False),
    ("What is the area of a circle of radius 1?", "Area = \\pi r^2 = \\boxed{\\pi}.", "\\pi", True),
    ("What is the area of a circle of radius 1?", "\\boxed{3.14}", "\\pi", False),
    ("Solve x^2 = 9.", "x = 3 or x = -3, so $\\boxed{\\pm 3}$.", "\\pm 3", True),
    ("Solve x^2 = 9.", "So $\\boxed{3}$.", "\\pm 3", False),
    ("Give the point of intersection.", "They meet at $\\boxed{(2, 3)}$.", "(2,3)", True),
    ("Give the point of intersection.", "They meet at $\\boxed{(3, 2)}$.", "(2,3)", False),
    ("Avogadro's number?", "It is 6.022e23 per mole.", "6.022 \\times 10^{23}", True),
    ("How many apples are left?", "She has 18 apples left.\n**Answer:** 18 apples", "18", True),
    ("How many apples are left?", "She has 17 apples left.", "18", False),
    ("What is 1001 - 1?", "\\boxed{1001}", "1000", False),
]  # fmt: skip

INTERVALS: list[Case] = [
    ("Solve 1 <= x < 3 as an interval.", "So the solution set is $\\boxed{1 \\le x < 3}$.",
     "[1,3)", True),
    ("Solve the inequality.", "Therefore $\\boxed{[1, 3)}$.", "1 \\le x < 3", True),
    ("Solve the inequality.", "Therefore $\\boxed{1 < x < 3}$.", "[1,3)", False),
    ("Solve the inequality.", "Therefore $\\boxed{1 \\le x \\le 3}$.", "[1,3)", False),
    ("Solve x^2 > 4.", "So $\\boxed{x < -2 \\text{ or } x > 2}$.",
     "(-\\infty,-2)\\cup(2,\\infty)", True),
    ("Solve x^2 > 4.", "So $\\boxed{x < -2 \\text{ or } x > 3}$.",
     "(-\\infty,-2)\\cup(2,\\infty)", False),
    ("Solve x^2 > 4.", "The answer is $\\boxed{(-\\infty, -2) \\cup (2, \\infty)}$.",
     "x<-2 \\text{ or } x>2", True),
    ("Solve x - 5 >= 0.", "Thus $\\boxed{x \\geq 5}$.", "[5, \\infty)", True),
    ("Solve x - 5 >= 0.", "Thus $\\boxed{x > 5}$.", "[5, \\infty)", False),
    ("Where is f increasing?", "f is increasing on $\\boxed{(0, \\infty)}$.", "x > 0", True),
]  # fmt: skip

PERCENTS: list[Case] = [
    ("What fraction of the class passed?", "18 of 24 passed, a rate of \\boxed{0.75}.", "75\\%",
     True),
    ("What is the probability of heads twice?", "It is 1/4 = 0.25.", "25%", True),
    ("What is the probability of heads twice?", "It is 1/2 = 0.5.", "25%", False),
    ("What percent of 80 is 20?", "20/80 = 0.25, i.e. \\boxed{25\\%}.", "25", True),
    ("What percent of 80 is 20?", "\\boxed{0.25}", "25", False),
    ("By what rate did sales grow?", "The growth rate is \\boxed{12.5\\%}.", "0.125", True),
    ("By what rate did sales grow?", "The growth rate is \\boxed{0.125}.", "12.5\\%", True),
    ("By what rate did sales grow?", "The growth rate is \\boxed{0.15}.", "12.5\\%", False),
]  # fmt: skip

UNITS: list[Case] = [
    ("How long is the rope?", "The rope is \\boxed{500 \\text{ cm}} long.", "5 m", True),
    ("How long is the rope?", "The rope is 5 meters long.\nAnswer: 5 m", "500 cm", True),
    ("How long is the rope?", "The rope is \\boxed{50 \\text{ cm}} long.", "5 m", False),
    ("How heavy is the box?", "It weighs \\boxed{2.5 \\text{ kg}}.", "2500 g", True),
    ("How heavy is the box?", "It weighs \\boxed{250 \\text{ g}}.", "2.5 kg", False),
    ("How long did the trip take?", "The trip took \\boxed{90 \\text{ minutes}}.", "1.5 hours",
     True),
    ("What is the area?", "Area = \\boxed{28.27 \\text{ cm}^2}", "28.27 cm^2", True),
    ("What is the area?", "Area = \\boxed{0.002827 \\text{ m}^2}", "28.27 cm^2", True),
    ("What is the area?", "Area = \\boxed{2.827 \\text{ m}^2}", "28.27 cm^2", False),
    ("What is the speed?", "v = d/t = \\boxed{36 \\text{ km/h}}", "10 m/s", True),
    ("What is the speed?", "v = \\boxed{36 \\text{ m/s}}", "10 m/s", False),
]  # fmt: skip

LETTERS: list[Case] = [
    ("Which is prime? (A) 21 (B) 27 (C) 29 (D) 33", "29 has no divisors, so option C.", "C",
     True),
    ("Which is prime? (A) 21 (B) 27 (C) 29 (D) 33", "The answer is (C) 29.", "C", True),
    ("Which is prime? (A) 21 (B) 27 (C) 29 (D) 33", "The answer is (B) 27.", "C", False),
    ("Which is even? A. 3 B. 4 C. 5", "4 is divisible by 2.\n\nB.", "B", True),
    ("Which is even? A. 3 B. 4 C. 5", "3 is odd, 5 is odd.\n\nC.", "B", False),
    ("Pick the largest. A) 2 B) 9 C) 4", "Comparing, 9 is a larger number than 2 and 4. "
     "I choose option B.", "B", True),
    ("Pick the largest. A) 2 B) 9 C) 4", "It is a tricky one, but the largest is \\boxed{B}.",
     "B", True),
    ("Pick the largest. A) 2 B) 9 C) 4", "It is a tricky one; I think it is a 4, so C.", "A",
     False),
    ("Pick the smallest. A) 2 B) 9 C) 4", "A is the smallest option, 2.\nAnswer: A", "A", True),
    ("Which is prime? A) 21 B) 27 C) 29", "Either (A) or (C), I am not sure.", "C", False),
]  # fmt: skip

WORDS: list[Case] = [
    ("How many legs does a spider have?", "A spider has eight legs.\nThe answer is eight.", "8",
     True),
    ("How many sides has a pentagon?", "A pentagon has five sides. Final answer: five", "5",
     True),
    ("How many sides has a pentagon?", "Final answer: six", "5", False),
    ("How many cents in a dollar?", "There are one hundred cents.\nAnswer: one hundred", "100",
     True),
    ("How many days in a week?", "The answer is seven days.", "7", True),
    ("How many days in a week?", "The answer is six days.", "7", False),
    ("Count the students.", "The answer is twenty-three.", "23", True),
]  # fmt: skip

HEDGED: list[Case] = [
    ("What is 6 times 7?", "I am torn between \\boxed{32} and \\boxed{42}.", "42", False),
    ("What is 6 times 7?", "It is either \\boxed{42} or \\boxed{48}.", "42", False),
    ("What is 6 times 7?", "First I got \\boxed{36}. Checking again: 6*7 = 42, so the answer "
     "is \\boxed{42}.", "42", True),
    ("What is 6 times 7?", "\\boxed{42}", "42", True),
    ("What is 3/4?", "\\boxed{3/4} hmm, or rather \\boxed{1/2}", "0.75", False),
]  # fmt: skip

FORMATS: list[Case] = [
    ("Write 5/3 as a mixed number.", "5/3 = 1 2/3", "5/3", True),
    ("Write 5/3 as a mixed number.", "5/3 = 1 1/3", "5/3", False),
    ("Avogadro's constant?", "N_A = 6.022 \u00d7 10^23 per mole", "6.022e23", True),
    ("Stefan-Boltzmann constant?", "sigma = 5.67 \u00d7 10⁻⁸", "5.67e-8", True),
    ("Stefan-Boltzmann constant?", "sigma = 5.67 \u00d7 10⁻⁶", "5.67e-8", False),
    ("Speed of light?", "c = \\boxed{2.998 \\times 10^8 \\text{ m/s}}", "2.998e8", True),
    ("Approximate 22/7.", "\\boxed{\\frac{22}{7} \\approx 3.14}", "22/7", True),
    ("What is the acceleration?", "a = 3.14 m/s²", "3.14", True),
]  # fmt: skip

CASES: list[Case] = PLAIN + INTERVALS + PERCENTS + UNITS + LETTERS + WORDS + HEDGED + FORMATS
