/** The settlement-password till's role name (config `role`). */
export const PASSWORD_POS = 'password-pos';
