namespace Portal.Core.Accounts;

/// <summary>Password strength from zxcvbn: a score of 0 (guessable) to 4, and advice to show the user.</summary>
public sealed record PasswordStrength(int Score, bool IsAcceptable, string Feedback)
{
    public const int MinimumLength = 12;
    public const int MaximumLength = 256;
    public const int MinimumScore = 3;

    // The estimator loads its dictionaries once per instance; an instance is not documented as thread-safe.
    private static readonly ThreadLocal<Zxcvbn.Zxcvbn> Estimator = new(() => new Zxcvbn.Zxcvbn(Zxcvbn.Translation.English));

    /// <summary>Estimates strength; <paramref name="userInputs"/> (email, name) count as guessable words.</summary>
    public static PasswordStrength Evaluate(string password, params IEnumerable<string?> userInputs)
    {
        if (password.Length < MinimumLength)
        {
            return new PasswordStrength(0, false, $"Use at least {MinimumLength} characters.");
        }

        if (password.Length > MaximumLength)
        {
            return new PasswordStrength(0, false, $"Use at most {MaximumLength} characters.");
        }

        var inputs = userInputs
            .Where(s => !string.IsNullOrWhiteSpace(s))
            .SelectMany(s => s!.Split(['@', '.', ' ', '-', '_', '+'], StringSplitOptions.RemoveEmptyEntries).Append(s!))
            .ToList();
        var result = Estimator.Value!.EvaluatePassword(password, inputs);
        var acceptable = result.Score >= MinimumScore;
        return new PasswordStrength(result.Score, acceptable, acceptable ? "" : Advice(result));
    }

    private static string Advice(Zxcvbn.Result result)
    {
        var patterns = result.MatchSequence.Select(m => m.Pattern).ToHashSet(StringComparer.Ordinal);
        var advice = new List<string>();
        if (patterns.Contains("dictionary"))
        {
            advice.Add("It is built from common passwords, words or names (your email counts).");
        }

        if (patterns.Contains("spatial") || patterns.Contains("sequence") || patterns.Contains("repeat"))
        {
            advice.Add("Keyboard patterns, sequences and repeats are easy to guess.");
        }

        if (patterns.Contains("date"))
        {
            advice.Add("Dates and years are easy to guess.");
        }

        var guessed = result.CrackTimeDisplay == "instant" ? "at once" : $"in {result.CrackTimeDisplay}";
        advice.Add($"It could be guessed {guessed}. Add a few uncommon words, or use a password manager.");
        return string.Join(" ", advice);
    }
}
