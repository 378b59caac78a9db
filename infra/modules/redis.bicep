// Azure Cache for Redis (TLS only). StackExchange.Redis 1.2.6 cannot sign in with Entra ID, so the app
// uses the access key: it goes into Key Vault and reaches the app as a Key Vault reference.
param name string
param location string
param tags object
param keyVaultName string
param secretName string

resource redis 'Microsoft.Cache/redis@2024-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: { name: 'Basic', family: 'C', capacity: 0 }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource connection 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: secretName
  properties: {
    value: '${redis.properties.hostName}:6380,password=${redis.listKeys().primaryKey},ssl=True,abortConnect=False'
  }
}

output secretUri string = connection.properties.secretUri
