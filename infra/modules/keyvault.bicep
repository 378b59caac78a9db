// Key Vault (RBAC) for what must stay secret: the code secret and the Redis access key.
param name string
param location string
param tags object
@secure()
param codeSecret string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource codeSecretEntry 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'shortener-code-secret'
  properties: { value: codeSecret }
}

output id string = vault.id
output name string = vault.name
output codeSecretUri string = codeSecretEntry.properties.secretUri
