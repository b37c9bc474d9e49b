using System.Text;

namespace Portal.Features.Audit;

/// <summary>
/// CSV cells (RFC 4180) that are also safe to open in a spreadsheet: a cell that starts like a formula
/// (<c>= + - @</c>, tab or carriage return) is prefixed with an apostrophe, so that a user agent or a name typed by
/// an attacker is shown as text instead of being run.
/// </summary>
public static class CsvCells
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];
    private static readonly char[] NeedQuotes = [',', '"', '\r', '\n'];

    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (FormulaStarts.Contains(value[0]))
        {
            value = "'" + value;
        }

        return value.IndexOfAny(NeedQuotes) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    /// <summary>One line, ended by CRLF.</summary>
    public static string Row(params ReadOnlySpan<string?> values)
    {
        var line = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            line.Append(Cell(values[i]));
        }

        return line.Append("\r\n").ToString();
    }
}
