variable "prefix" {
  description = "Secret name prefix, e.g. pingvas/prod; the secrets are <prefix>/app and <prefix>/keda."
  type        = string
}

variable "settings" {
  description = "Server settings (environment-variable form, Section__Key) kept as properties of <prefix>/app; listed in its description. Terraform creates the empty secret; values are put out of band."
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
