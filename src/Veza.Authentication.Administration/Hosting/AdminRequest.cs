using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Veza.Authentication.Administration.Rendering;
using Veza.Authentication.Hosting;
using Veza.Authentication.Principals;
using Veza.Authentication.Stores;

namespace Veza.Authentication.Administration.Hosting;

/// <summary>
/// One request to the pages: who is signed in, the <see cref="VezaCaller"/> the services decide with, the team they act
/// in, and what every page needs to link and post (the base path, the antiforgery token).
/// </summary>
internal sealed class AdminRequest
{
    /// <summary>The query and form field that names the team a user of several teams acts in.</summary>
    public const string TeamField = "team";

    private AntiforgeryTokenSet? _tokens;

    public AdminRequest(HttpContext http, string basePath, VezaCaller caller, VezaUser user, IReadOnlyList<VezaTeam> userTeams, string? chosenTeam)
    {
        Http = http;
        BasePath = basePath;
        Caller = caller.WithRequest(http);
        User = user;
        UserTeams = userTeams;
        ChosenTeam = chosenTeam;
        Options = http.RequestServices.GetRequiredService<IOptions<VezaAdministrationOptions>>().Value;
        Veza = http.RequestServices.GetRequiredService<IOptions<VezaAuthenticationOptions>>().Value;
    }

    public HttpContext Http { get; }

    /// <summary>Where the pages are mounted, with the host's path base; no trailing slash.</summary>
    public string BasePath { get; }

    public VezaCaller Caller { get; }

    public VezaUser User { get; }

    /// <summary>The teams the user holds a role in.</summary>
    public IReadOnlyList<VezaTeam> UserTeams { get; }

    /// <summary>The team the user chose to act in (users of several teams), carried on every link and form.</summary>
    public string? ChosenTeam { get; }

    public VezaAdministrationOptions Options { get; }

    public VezaAuthenticationOptions Veza { get; }

    public CancellationToken Aborted => Http.RequestAborted;

    public T Service<T>() where T : notnull => Http.RequestServices.GetRequiredService<T>();

    /// <summary>The name of the caller's team, as the directory has it.</summary>
    public string TeamName => UserTeams.FirstOrDefault(t => t.Id == Caller.TeamId)?.Name ?? Caller.TeamId ?? string.Empty;

    /// <summary>A link under the pages, keeping the chosen team; values are escaped.</summary>
    public string Url(string path, params (string Name, string? Value)[] query)
    {
        var url = BasePath + path;
        foreach (var (name, value) in query.Where(q => !string.IsNullOrEmpty(q.Value)))
        {
            url = QueryHelpers.AddQueryString(url, name, value!);
        }

        return ChosenTeam is null ? url : QueryHelpers.AddQueryString(url, TeamField, ChosenTeam);
    }

    /// <summary>The hidden fields every form posts: the antiforgery token, and the chosen team.</summary>
    public Markup FormFields()
    {
        _tokens ??= Service<IAntiforgery>().GetAndStoreTokens(Http);
        var fields = Html.Of($"<input type=\"hidden\" name=\"{_tokens.FormFieldName}\" value=\"{_tokens.RequestToken}\">");
        return ChosenTeam is null ? fields : new Markup(fields.Value + Html.Of($"<input type=\"hidden\" name=\"{TeamField}\" value=\"{ChosenTeam}\">").Value);
    }

    private IFormCollection? _prefilled;

    /// <summary>The posted form (read once by the antiforgery check), or the values an edit form starts from.</summary>
    public IFormCollection Form => _prefilled ?? (Http.Request.HasFormContentType ? Http.Request.Form : FormCollection.Empty);

    /// <summary>Fills a form's fields from a stored item rather than from a post (an edit form's first view).</summary>
    public void Prefill(Dictionary<string, StringValues> values) => _prefilled = new FormCollection(values);

    /// <summary>A posted field, trimmed; empty when absent.</summary>
    public string Field(string name) => Form[name].ToString().Trim();

    /// <summary>A query value; empty when absent.</summary>
    public string Query(string name) => Http.Request.Query[name].ToString();
}
