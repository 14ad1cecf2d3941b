<?php
/**
 * Plugin Name: Fédère notify
 * Description: Tells Fédère as soon as a comment arrives or changes, so moderation happens within seconds instead of at the next poll.
 * Version: 0.2.0
 * License: AGPL-3.0-or-later
 *
 * Set the address Fédère shows on the channel's page, in wp-config.php:
 *     define( 'FEDERE_NOTIFY_URL', 'https://federe.example.org/hooks/sync/12/abc…/' );
 * or as the option "federe_notify_url". The request carries only the comment id: Fédère then
 * syncs the blog through its REST API as usual, so nothing is trusted from the notification itself.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

function federe_notify_url() {
	if ( defined( 'FEDERE_NOTIFY_URL' ) ) {
		return FEDERE_NOTIFY_URL;
	}
	return (string) get_option( 'federe_notify_url', '' );
}

function federe_notify( $comment_id = 0 ) {
	$url = federe_notify_url();
	if ( '' === $url ) {
		return;
	}
	// A change made through the REST API with an Application Password is Fédère's own (a moderation decision, a
	// reply): it knows already, and a notification would only cost it one more sync. Another such client's
	// changes (a mobile app) reach Fédère at its next poll instead.
	if ( did_action( 'application_password_did_authenticate' ) ) {
		return;
	}
	// Short and bounded: a visitor's comment must never wait on Fédère for long.
	wp_remote_post(
		$url,
		array(
			'timeout'  => 2,
			'blocking' => true,
			'body'     => array( 'comment' => (int) $comment_id ),
		)
	);
}

add_action( 'wp_insert_comment', 'federe_notify', 10, 1 );
add_action( 'edit_comment', 'federe_notify', 10, 1 );
add_action( 'wp_set_comment_status', 'federe_notify', 10, 1 );
