using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Portal.Tests.Infrastructure;

/// <summary>Drives the statically rendered pages like a browser without JavaScript: get a page, fill its form, post it.</summary>
public sealed class PortalClient(HttpClient http) : IDisposable
{
    private static readonly HtmlParser Parser = new();

    public HttpClient Http { get; } = http;

    public sealed record Page(HttpResponseMessage Response, IHtmlDocument Document)
    {
        public Uri Url => Response.RequestMessage!.RequestUri!;

        public string Text => Document.Body?.TextContent ?? "";

        public string? TestId(string id) => Document.QuerySelector($"[data-testid='{id}']")?.TextContent.Trim();
    }

    public async Task<Page> GetAsync(string url)
    {
        var response = await Http.GetAsync(new Uri(url, UriKind.RelativeOrAbsolute));
        return new Page(response, Parser.ParseDocument(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>Opens <paramref name="url"/>, fills the form named <paramref name="formName"/> and submits it.</summary>
    public async Task<Page> SubmitAsync(string url, string formName, IReadOnlyDictionary<string, string> fields)
    {
        var page = await GetAsync(url);
        return await SubmitAsync(page, formName, fields);
    }

    public Task<Page> SubmitAsync(Page page, string formName, IReadOnlyDictionary<string, string> fields) =>
        SubmitAsync(page, page.Document.QuerySelectorAll<IHtmlFormElement>("form")
            .FirstOrDefault(f => f.QuerySelector<IHtmlInputElement>("input[name='_handler']")?.Value == formName)
            ?? throw new InvalidOperationException($"No form '{formName}' on {page.Url}: {page.Text}"), fields);

    /// <summary>Signs out with the sign-out form of the account pages, as a user would.</summary>
    public async Task<Page> SignOutAsync()
    {
        var page = await GetAsync("/Account/Manage");
        var form = page.Document.QuerySelectorAll<IHtmlFormElement>("form")
            .FirstOrDefault(f => (f.GetAttribute("action") ?? "").EndsWith("Account/Logout", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"No sign-out form on {page.Url}");
        return await SubmitAsync(page, form, new Dictionary<string, string>());
    }

    private async Task<Page> SubmitAsync(Page page, IHtmlFormElement form, IReadOnlyDictionary<string, string> fields)
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[name]"))
        {
            if (input.Type is "checkbox" && !input.IsChecked)
            {
                continue;
            }

            if (!fields.ContainsKey(input.Name!))
            {
                values.Add(new(input.Name!, input.Value));
            }
        }

        values.AddRange(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
        // Relative actions resolve against <base href>, as in a browser.
        var baseUrl = page.Document.QuerySelector("base[href]")?.GetAttribute("href") is { } href ? new Uri(page.Url, href) : page.Url;
        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? page.Url : new Uri(baseUrl, form.GetAttribute("action"));
        using var content = new FormUrlEncodedContent(values);
        var response = await Http.PostAsync(action, content);
        return new Page(response, Parser.ParseDocument(await response.Content.ReadAsStringAsync()));
    }

    public void Dispose() => Http.Dispose();
}
