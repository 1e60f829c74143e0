namespace Veza.Authentication.Hosting;

/// <summary>Options for <c>AddVezaAuthentication</c>. They are validated when the host starts.</summary>
public sealed class VezaAuthenticationOptions
{
    /// <summary>API key settings.</summary>
    public ApiKeyOptions ApiKeys { get; } = new();

    /// <summary>Argon2id parameters for new secret hashes.</summary>
    public Argon2idOptions Argon2id { get; } = new();

    /// <summary>
    /// Limits on secret checks (Argon2id runs) for every credential with a secret: how many run at once in the
    /// process, and how many failed checks one client address may cause.
    /// </summary>
    public SecretCheckOptions SecretChecks { get; } = new();

    /// <summary>The stores: how long calls to them may take, how long their answers are remembered, and how instances
    /// follow each other's changes.</summary>
    public VezaStoreOptions Stores { get; } = new();

    /// <summary>The OAuth 2.0 authorization server and its access tokens.</summary>
    public OAuthServerOptions OAuth2 { get; } = new();

    /// <summary>
    /// What each role allows: role name to permission names. A principal carries the permissions of all its roles
    /// as <see cref="Principals.VezaClaimTypes.Permission"/> claims, for <c>RequireVezaPermission</c> policies.
    /// Empty by default: the host defines its roles. A role that is not listed grants no permission.
    /// </summary>
    public IDictionary<string, ISet<string>> Roles { get; } = new Dictionary<string, ISet<string>>(StringComparer.Ordinal);

    /// <summary>
    /// The role that makes a user an administrator of a team. Default <c>admin</c>. An administrator of the root
    /// team manages every team's keys; an administrator of another team manages that team's keys.
    /// </summary>
    public string AdminRole { get; set; } = "admin";

    /// <summary>
    /// The single role a team key's service account holds. Default <c>oaa_push</c> (Veza's name for the role that
    /// may only push integration data). Its permissions come from <see cref="Roles"/>.
    /// </summary>
    public string TeamKeyRole { get; set; } = "oaa_push";

    /// <summary>
    /// Whether <c>AddVezaAuthentication</c> makes <c>Veza</c> the host's default authentication scheme. Default
    /// <see langword="true"/>. Set it to <see langword="false"/> to keep a default the host already has (a cookie
    /// scheme, say); <c>Veza</c> stays addressable by name, for example
    /// <c>[Authorize(AuthenticationSchemes = VezaAuthenticationDefaults.AuthenticationScheme)]</c>.
    /// </summary>
    public bool SetDefaultScheme { get; set; } = true;

    /// <summary>
    /// Hooks into the bearer schemes' failures, challenges and 403 answers (see <see cref="VezaBearerEvents"/>).
    /// A type registered as <c>EventsType</c> on <see cref="VezaBearerSchemeOptions"/> takes precedence.
    /// </summary>
    public VezaBearerEvents Events { get; set; } = new();

    /// <summary>Adds (or replaces) a role and the permissions it grants.</summary>
    /// <param name="role">The role name.</param>
    /// <param name="permissions">The permissions it grants.</param>
    /// <returns>These options, for chaining.</returns>
    public VezaAuthenticationOptions AddRole(string role, params IEnumerable<string> permissions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        ArgumentNullException.ThrowIfNull(permissions);
        Roles[role] = new HashSet<string>(permissions, StringComparer.Ordinal);
        return this;
    }
}
