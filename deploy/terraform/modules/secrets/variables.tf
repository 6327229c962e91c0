variable "prefix" {
  description = "Secret name prefix, e.g. pingvas/prod; each secret is <prefix>/<setting>."
  type        = string
}

variable "settings" {
  description = "Server settings (environment-variable form, Section__Key) kept in Secrets Manager. Terraform creates the empty secrets; their values are put out of band."
  type        = list(string)
}

variable "recovery_window_days" {
  description = "How long a deleted secret can still be restored."
  type        = number
  default     = 30
}

variable "tags" {
  type    = map(string)
  default = {}
}
