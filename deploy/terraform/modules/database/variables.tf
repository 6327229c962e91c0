variable "name" {
  description = "Identifier prefix, e.g. pingvas-prod."
  type        = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Database subnets (no route to the internet), at least two zones."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect on 5432 (the EKS cluster security group)."
  type        = list(string)
}

variable "engine_version" {
  description = "PostgreSQL major.minor; minor upgrades are applied in the maintenance window."
  type        = string
  default     = "17.6"
}

variable "parameter_group_family" {
  type    = string
  default = "postgres17"
}

variable "instance_class" {
  type = string
}

variable "allocated_storage_gb" {
  type = number
}

variable "max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling."
  type        = number
}

variable "multi_az" {
  description = "A synchronous standby in another zone (automatic failover)."
  type        = bool
}

variable "deletion_protection" {
  type = bool
}

variable "backup_retention_days" {
  description = "Automated backups (point-in-time recovery window)."
  type        = number
  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "Keep automated backups for 7 to 35 days."
  }
}

variable "database_name" {
  type    = string
  default = "pingvas"
}

variable "master_username" {
  description = "Administrative user; its password is generated and rotated by RDS in Secrets Manager (never in Terraform)."
  type        = string
  default     = "pingvas_admin"
}

variable "max_connections" {
  description = "Two Npgsql pools per serving process (API requests and background work): size this for replicas × 2 × Max Pool Size."
  type        = number
  default     = 400
}

variable "tags" {
  type    = map(string)
  default = {}
}
