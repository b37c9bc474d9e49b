namespace Portal.Core;

/// <summary>
/// What no text input may contain, shared by the forms, the control API and the use cases: control characters (C0,
/// DEL, C1) and lone UTF-16 surrogates. PostgreSQL refuses NUL in <c>text</c> and <c>jsonb</c> and lone surrogates in
/// <c>jsonb</c> (a 500 instead of a clear refusal), and the others hide text from people reading names, logs and audit
/// exports (a terminal escape in a workspace name). Multi-line fields may keep tabs and line breaks.
/// </summary>
public static class TextRules
{
    /// <summary>The message every refusal of this kind shares.</summary>
    public const string ControlCharacterMessage = "Text may not contain control characters (such as U+0000) or unpaired surrogates.";

    /// <summary>Whether <paramref name="text"/> has a character no input may have (tabs and line breaks allowed when <paramref name="multiLine"/>).</summary>
    public static bool HasForbiddenCharacters(ReadOnlySpan<char> text, bool multiLine = false)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                return true;
            }

            if (char.IsLowSurrogate(c) || IsControl(c, multiLine))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The refusal of <paramref name="value"/> in <paramref name="field"/>, or null when it has no forbidden character.</summary>
    public static Failure? Validate(string? value, string field, bool multiLine = false) =>
        value is not null && HasForbiddenCharacters(value, multiLine) ? Failure.Invalid(field, $"'{field}': {ControlCharacterMessage}") : null;

    private static bool IsControl(char c, bool multiLine) =>
        (c < ' ' && !(multiLine && c is '\t' or '\n' or '\r')) || c is >= '\u007f' and <= '\u009f';
}
