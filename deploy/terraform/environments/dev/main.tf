# dev: one NAT gateway, two zones, a single-zone burstable database without deletion protection, a
# bucket Terraform may empty on destroy, at most two L4 Spot nodes. Cheap, and disposable.

module "platform" {
  source      = "../../modules/platform"
  environment = "dev"
  name        = "pingvas-dev"

  vpc_cidr            = "10.40.0.0/16"
  az_count            = 2
  single_nat_gateway  = true
  interface_endpoints = []

  kubernetes_version   = "1.33"
  api_public_cidrs     = var.api_public_cidrs
  admin_principal_arns = var.admin_principal_arns

  system_node_group = {
    instance_types = ["m7i.large", "m6i.large"]
    min_size       = 1
    max_size       = 3
    desired_size   = 2
    disk_size_gb   = 50
  }

  # Spot, from zero: an L4 (g6) node exists only while a worker pod wants one.
  gpu_node_groups = {
    l4 = {
      instance_types = ["g6.xlarge", "g6.2xlarge"]
      max_size       = 2
      disk_size_gb   = 150
    }
  }

  db_instance_class           = "db.t4g.medium"
  db_allocated_storage_gb     = 20
  db_max_allocated_storage_gb = 100
  db_multi_az                 = false
  db_deletion_protection      = false
  db_backup_retention_days    = 7
  db_max_connections          = 200

  bucket_name                = var.bucket_name
  bucket_force_destroy       = true
  cloudfront_public_key_pem  = var.cloudfront_public_key_pem
  cloudfront_aliases         = var.cloudfront_aliases
  cloudfront_certificate_arn = var.cloudfront_certificate_arn

  secret_recovery_window_days = 7
}
