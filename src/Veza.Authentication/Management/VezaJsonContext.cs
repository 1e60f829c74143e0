using System.Text.Json.Serialization;

namespace Veza.Authentication.Management;

/// <summary>The management API's request and response bodies, serialized without reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ApiKeyValueResponse))]
[JsonSerializable(typeof(ApiKeyListResponse))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(RenameApiKeyRequest))]
[JsonSerializable(typeof(OAuthClientValueResponse))]
[JsonSerializable(typeof(OAuthClientListResponse))]
[JsonSerializable(typeof(CreateOAuthClientRequest))]
[JsonSerializable(typeof(RenameOAuthClientRequest))]
[JsonSerializable(typeof(AddClientSecretRequest))]
[JsonSerializable(typeof(OAuthAppValueResponse))]
[JsonSerializable(typeof(OAuthAppListResponse))]
[JsonSerializable(typeof(OAuthAppRequest))]
[JsonSerializable(typeof(AppSecretValueResponse))]
[JsonSerializable(typeof(OAuthConsentListResponse))]
[JsonSerializable(typeof(OAuthConsentWithdrawn))]
[JsonSerializable(typeof(ClientSecretValueResponse))]
[JsonSerializable(typeof(SignInSettingsResponse))]
[JsonSerializable(typeof(UpdateSignInSettingsRequest))]
internal sealed partial class VezaJsonContext : JsonSerializerContext;
