using System.Net;

namespace Portal.Core.Notifications;

/// <summary>The one layout of our emails: a heading, paragraphs and an optional button, in text and in HTML.</summary>
public static class EmailTemplate
{
    public static EmailMessage Create(string to, string subject, IReadOnlyList<string> paragraphs, (string Text, string Url)? action = null)
    {
        var text = string.Join("\n\n", paragraphs);
        if (action is { } a)
        {
            text += $"\n\n{a.Text}: {a.Url}";
        }

        text += "\n\n-- \nAuthSome Cloud\n";

        var html = new System.Text.StringBuilder();
        html.Append("<!DOCTYPE html><html><body style=\"font-family:Roboto,Helvetica,Arial,sans-serif;color:#1f2937;max-width:560px;margin:auto;padding:24px\">");
        html.Append("<h2 style=\"margin-top:0\">").Append(WebUtility.HtmlEncode(subject)).Append("</h2>");
        foreach (var paragraph in paragraphs)
        {
            html.Append("<p>").Append(WebUtility.HtmlEncode(paragraph)).Append("</p>");
        }

        if (action is { } b)
        {
            var url = WebUtility.HtmlEncode(b.Url);
            html.Append("<p><a href=\"").Append(url)
                .Append("\" style=\"display:inline-block;padding:10px 18px;background:#594ae2;color:#fff;border-radius:4px;text-decoration:none\">")
                .Append(WebUtility.HtmlEncode(b.Text)).Append("</a></p>")
                .Append("<p style=\"font-size:12px;color:#6b7280\">Or paste this link into your browser: ").Append(url).Append("</p>");
        }

        html.Append("<p style=\"font-size:12px;color:#6b7280\">AuthSome Cloud</p></body></html>");
        return new EmailMessage(to, subject, text, html.ToString());
    }
}
